/**
 * Redis inside the cluster, for environments whose `redis.mode` is in-cluster (dev): the Valkey project's own chart
 * and image (a maintained, BSD-licensed Redis; docs/decisions/0076-in-cluster-redis-valkey.md) with AUTH on (the
 * `default` ACL user's password generated into a Kubernetes secret referenced by name), persistence on encrypted
 * gp3, optional replicas, and the redis_exporter sidecar with a ServiceMonitor. The chart renders no NetworkPolicy
 * of its own (`networkPolicy` left empty), so the gateway chart's policy is the only one selecting these pods: only
 * the gateway reaches port 6379. Managed environments use ElastiCache from the cluster layer.
 */
import { Construct } from "constructs";
import { NODE_LABELS } from "./node-labels";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { GeneratedSecret } from "./private/platform-secret";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import type { ResourcesValues } from "./private/workloads";

/** Props of InClusterRedis. */
export interface InClusterRedisProps extends PlatformReleaseProps {
  /** Volume size, GiB. */
  readonly storageGiB: number;
  /** Read replicas (0: standalone). */
  readonly replicas: number;
  /** StorageClass (encrypted gp3). */
  readonly storageClassName: string;
  /** Namespaces of the clients that need the password (the gateway's). @default [] */
  readonly clientNamespaces?: readonly string[];
}

/** In-cluster Redis. */
export class InClusterRedis extends Construct {
  /** The release. */
  readonly release: HelmRelease;
  /** The password secret (same name in Redis' and the clients' namespaces). */
  readonly passwordSecret: GeneratedSecret;
  /** Host and port of the primary. */
  readonly host: string;
  readonly port = 6379;
  /** Labels selecting Redis' pods. */
  readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: InClusterRedisProps) {
    super(scope, id);
    if (!Number.isInteger(props.storageGiB) || props.storageGiB < 1) throw new Error(`storageGiB (${props.storageGiB}) must be an integer of at least 1`);
    if (!Number.isInteger(props.replicas) || props.replicas < 0) throw new Error(`replicas (${props.replicas}) must be an integer of at least 0`);
    const releaseName = "redis";
    this.passwordSecret = new GeneratedSecret(this, "password", {
      secretName: "redis-auth",
      key: "redis-password",
      namespaces: [props.namespace, ...(props.clientNamespaces ?? [])],
      dependsOn: props.dependsOn,
    });
    const replication = props.replicas > 0;
    const resources: ResourcesValues = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } };
    const exporterResources: ResourcesValues = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } };
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName,
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.redis,
      dependsOn: [...(props.dependsOn ?? []), ...this.passwordSecret.secrets],
      values: {
        fullnameOverride: releaseName,
        nameOverride: releaseName,
        auth: {
          enabled: true,
          usersExistingSecret: this.passwordSecret.secretName,
          // The gateway authenticates with a password only (AUTH <password>), which is the default user.
          aclUsers: { default: { permissions: "~* &* +@all", passwordKey: this.passwordSecret.key } },
        },
        // Standalone: a Deployment with one PVC; replication: a StatefulSet, pod 0 the primary behind the Service.
        ...(replication
          ? { replica: { enabled: true, replicas: props.replicas, persistence: { size: `${props.storageGiB}Gi`, storageClass: props.storageClassName } } }
          : { dataStorage: { enabled: true, requestedSize: `${props.storageGiB}Gi`, className: props.storageClassName } }),
        resources,
        nodeSelector: { [NODE_LABELS.role]: "system" },
        metrics: {
          enabled: true,
          exporter: { resources: exporterResources },
          serviceMonitor: { enabled: true },
        },
      },
      // Standalone: a Deployment of one pod; replication: a StatefulSet of the primary plus `replicas` pods
      // (valkey-io/valkey-helm@valkey-0.11.0:valkey/templates/statefulset.yaml: replicas = replica.replicas + 1).
      // Each pod runs Valkey and the redis_exporter sidecar.
      workloads: [
        {
          name: releaseName,
          kind: replication ? "StatefulSet" : "Deployment",
          replicas: replication ? props.replicas + 1 : 1,
          requests: { cpu: "300m", memory: "576Mi" },
          nodeSelector: { [NODE_LABELS.role]: "system" },
        },
      ],
    });
    this.host = `${releaseName}.${props.namespace}.svc.cluster.local`;
    // valkey.selectorLabels: app.kubernetes.io/name (nameOverride) and app.kubernetes.io/instance (release name).
    this.podSelector = { "app.kubernetes.io/name": releaseName, "app.kubernetes.io/instance": releaseName };
  }
}
