/**
 * Qdrant from the official chart: replicas and disk from the environment on encrypted gp3, a separate snapshot
 * volume, the API key generated into a Kubernetes secret (one copy for Qdrant, one for the gateway) and referenced
 * by name, distributed mode when there is more than one replica, and a ServiceMonitor.
 */
import { Construct } from "constructs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { GeneratedSecret } from "./private/platform-secret";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** Props of Qdrant. */
export interface QdrantProps extends PlatformReleaseProps {
  /** Replicas (distributed mode above 1). */
  readonly replicas: number;
  /** Storage volume per replica, GiB. */
  readonly storageGiB: number;
  /** Snapshot volume per replica, GiB. */
  readonly snapshotStorageGiB: number;
  /** StorageClass (encrypted gp3). */
  readonly storageClassName: string;
  /** Namespaces of the clients that need the API key (the gateway's). @default [] */
  readonly clientNamespaces?: readonly string[];
}

/** The vector database. */
export class Qdrant extends Construct {
  /** The release. */
  readonly release: HelmRelease;
  /** The API key secret (same name in Qdrant's and the clients' namespaces). */
  readonly apiKeySecret: GeneratedSecret;
  /** In-cluster REST URL. */
  readonly url: string;
  /** Labels selecting Qdrant's pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** REST, gRPC and peer ports. */
  readonly ports = { rest: 6333, grpc: 6334, p2p: 6335 } as const;

  constructor(scope: Construct, id: string, props: QdrantProps) {
    super(scope, id);
    for (const [name, value, min] of [["replicas", props.replicas, 1], ["storageGiB", props.storageGiB, 1], ["snapshotStorageGiB", props.snapshotStorageGiB, 1]] as const) {
      if (!Number.isInteger(value) || value < min) throw new Error(`${name} (${value}) must be an integer of at least ${min}`);
    }
    const releaseName = "qdrant";
    this.apiKeySecret = new GeneratedSecret(this, "api-key", {
      secretName: "qdrant-api-key",
      key: "api-key",
      namespaces: [props.namespace, ...(props.clientNamespaces ?? [])],
      length: 40,
      dependsOn: props.dependsOn,
    });
    const resources: ResourcesValues = { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "8Gi" } };
    const volume = (gib: number) => ({ accessModes: ["ReadWriteOnce"], size: `${gib}Gi`, storageClassName: props.storageClassName });
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName,
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.qdrant,
      dependsOn: [...(props.dependsOn ?? []), ...this.apiKeySecret.secrets],
      values: {
        fullnameOverride: releaseName,
        replicaCount: props.replicas,
        persistence: volume(props.storageGiB),
        snapshotPersistence: { enabled: true, ...volume(props.snapshotStorageGiB) },
        apiKey: { valueFrom: { secretKeyRef: { name: this.apiKeySecret.secretName, key: this.apiKeySecret.key } } },
        config: {
          cluster: { enabled: props.replicas > 1 },
          telemetry_disabled: true,
        },
        podDisruptionBudget: { enabled: props.replicas > 1, maxUnavailable: 1 },
        metrics: { serviceMonitor: { enabled: true } },
        resources,
      },
      workloads: [{ name: releaseName, kind: "StatefulSet", replicas: props.replicas, requests: requestsOf(resources) }],
    });
    this.url = `http://${releaseName}.${props.namespace}.svc.cluster.local:${this.ports.rest}`;
    this.podSelector = { "app.kubernetes.io/name": "qdrant", "app.kubernetes.io/instance": releaseName };
  }
}
