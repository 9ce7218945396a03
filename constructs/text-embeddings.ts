/**
 * Hugging Face text-embeddings-inference releases (charts/text-embeddings): the embedder (bge-large-en-v1.5), the
 * reranker (bge-reranker-large) and, optionally, the guardrails' classifiers (prompt injection, toxicity), on CPU
 * or on a GPU node group with the image built for its architecture.
 */
import { Construct } from "constructs";
import type { GpuScheduling } from "../stacks/cluster-outputs";
import { HelmRelease } from "./private/helm-release";
import { PlatformConfigError } from "./private/platform-errors";
import { tolerationValues } from "./private/platform-scheduling";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { requestsOf, type ResourcesValues } from "./private/workloads";
import revisions from "./data/tei-model-revisions.json";

/** What a TEI release serves. */
export type TeiRole = "embedder" | "reranker" | "injection" | "toxicity";

/** The model each role serves. */
export const TEI_MODELS: Readonly<Record<TeiRole, string>> = {
  embedder: "BAAI/bge-large-en-v1.5",
  reranker: "BAAI/bge-reranker-large",
  injection: "protectai/deberta-v3-base-prompt-injection-v2",
  toxicity: "unitary/toxic-bert",
};

/**
 * The Hugging Face commit each model is pinned to, where a public source verifies one (data/tei-model-revisions.json):
 * a classifier's thresholds mean something only for the weights they were chosen with.
 */
export function teiModelRevision(model: string): string | undefined {
  return (revisions.pinned as Record<string, { revision: string } | undefined>)[model]?.revision;
}

/** TEI image tags, pinned per build: CPU, Ampere (A100, compute capability 8.0) and Ada Lovelace (L40S, 8.9). */
export const TEI_IMAGE = {
  repository: "ghcr.io/huggingface/text-embeddings-inference",
  tags: { cpu: "cpu-1.8", a100: "1.8", l40s: "89-1.8" },
} as const;

/** Port of the TEI Services. */
export const TEI_PORT = 80;

/** Props of TextEmbeddings. */
export interface TextEmbeddingsProps extends PlatformReleaseProps {
  /** What it serves. */
  readonly role: TeiRole;
  /** Replicas. @default 1 */
  readonly replicas?: number;
  /** CPU or GPU. @default "cpu" */
  readonly device?: "cpu" | "gpu";
  /** The GPU node group's scheduling, required for device gpu. @default - none */
  readonly gpu?: GpuScheduling;
  /**
   * CPU and memory requests of one pod. @default - embedder and reranker: 1 CPU and 3Gi (bge-large and
   * bge-reranker-large hold 1.3 and 2.2 GB of fp32 weights), classifiers 500m and 2Gi
   */
  readonly requests?: { readonly cpu: string; readonly memory: string };
}

/** One TEI server. */
export class TextEmbeddings extends Construct {
  /** The release. */
  readonly release: HelmRelease;
  /** Release and Service name: tei-<role>. */
  readonly releaseName: string;
  /** In-cluster base URL. */
  readonly url: string;
  /** Labels selecting its pods. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Container port (for NetworkPolicies). */
  readonly containerPort = 8080;

  constructor(scope: Construct, id: string, props: TextEmbeddingsProps) {
    super(scope, id);
    const device = props.device ?? "cpu";
    const replicas = props.replicas ?? 1;
    this.releaseName = `tei-${props.role}`;
    if (device === "gpu" && !props.gpu) {
      throw new PlatformConfigError(
        { environment: props.environment, subject: `release "${this.releaseName}" (chart text-embeddings)`, path: "platform.textEmbeddings.nodeGroup" },
        "expected a GPU node group of the cluster when device is gpu",
      );
    }
    const gpu = device === "gpu" ? props.gpu : undefined;
    const cpuHeavy = props.role === "embedder" || props.role === "reranker";
    const requests = props.requests ?? (cpuHeavy ? { cpu: "1", memory: "3Gi" } : { cpu: "500m", memory: "2Gi" });
    const resources: ResourcesValues = { requests: { ...requests }, limits: { memory: cpuHeavy ? "8Gi" : "4Gi" } };
    const placement = gpu ? { nodeSelector: { ...gpu.nodeSelector }, tolerations: gpu.tolerations.map(tolerationValues) } : {};
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: this.releaseName,
      namespace: props.namespace,
      chart: "text-embeddings",
      dependsOn: props.dependsOn,
      wait: device === "cpu",
      values: {
        fullnameOverride: this.releaseName,
        role: props.role === "embedder" || props.role === "reranker" ? props.role : "classifier",
        modelId: TEI_MODELS[props.role],
        revision: teiModelRevision(TEI_MODELS[props.role]) ?? "",
        image: { repository: TEI_IMAGE.repository, tag: gpu ? TEI_IMAGE.tags[gpu.accelerator] : TEI_IMAGE.tags.cpu, pullPolicy: "IfNotPresent" },
        device,
        replicaCount: replicas,
        server: { port: this.containerPort, maxClientBatchSize: 128, maxBatchTokens: 16384, autoTruncate: true },
        ...placement,
        resources,
        serviceAccount: { create: true },
        service: { port: TEI_PORT },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        serviceMonitor: { enabled: true, interval: "30s" },
      },
      // The chart's Deployment rolls with maxSurge 1; on GPU it asks for one nvidia.com/gpu.
      workloads: [{ name: this.releaseName, kind: "Deployment", replicas, surge: 1, requests: { ...requestsOf(resources), ...(gpu ? { gpus: 1 } : {}) }, ...(gpu ? { nodeSelector: gpu.nodeSelector, tolerations: gpu.tolerations } : {}) }],
    });
    this.url = `http://${this.releaseName}.${props.namespace}.svc.cluster.local:${TEI_PORT}`;
    this.podSelector = { "app.kubernetes.io/name": "text-embeddings", "app.kubernetes.io/instance": this.releaseName };
  }
}
