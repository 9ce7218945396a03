/**
 * Redis inside the cluster, for environments whose `redis.mode` is in-cluster (dev): the Bitnami chart with AUTH
 * on (password generated into a Kubernetes secret referenced by name), persistence on encrypted gp3, optional
 * replicas, and metrics with a ServiceMonitor. Managed environments use ElastiCache from the cluster layer.
 */
import { Construct } from "constructs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { GeneratedSecret } from "./private/platform-secret";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { requestsOf, type ResourcesValues } from "./private/workloads";

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
    const resources: ResourcesValues = { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } };
    const persistence = { enabled: true, size: `${props.storageGiB}Gi`, storageClass: props.storageClassName };
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName,
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.redis,
      dependsOn: [...(props.dependsOn ?? []), ...this.passwordSecret.secrets],
      values: {
        fullnameOverride: releaseName,
        architecture: props.replicas > 0 ? "replication" : "standalone",
        auth: { enabled: true, existingSecret: this.passwordSecret.secretName, existingSecretPasswordKey: this.passwordSecret.key },
        master: { persistence, resources },
        replica: { replicaCount: props.replicas, persistence, resources },
        metrics: { enabled: true, serviceMonitor: { enabled: true } },
      },
      workloads: [
        { name: `${releaseName}-master`, kind: "StatefulSet", replicas: 1, requests: requestsOf(resources) },
        ...(props.replicas > 0 ? [{ name: `${releaseName}-replicas`, kind: "StatefulSet" as const, replicas: props.replicas, requests: requestsOf(resources) }] : []),
      ],
    });
    this.host = `${releaseName}-master.${props.namespace}.svc.cluster.local`;
    this.podSelector = { "app.kubernetes.io/name": "redis", "app.kubernetes.io/instance": releaseName };
  }
}
