/**
 * One vLLM model server (a release of charts/vllm-model) per configured model: engine arguments from the typed
 * model config, as many GPUs as the tensor parallelism on the model's GPU node group (its nodeSelector and
 * tolerations), weights synced from the model bucket, startup probe sized to the model, KEDA autoscaling on
 * waiting requests when configured. Exposes the OpenAI base URL the gateway routes to.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { GpuScheduling } from "../stacks/cluster-outputs";
import { HelmRelease } from "./private/helm-release";
import { PlatformConfigError } from "./private/platform-errors";
import { tolerationValues } from "./private/platform-scheduling";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** The model as the environment file describes it (a subset of ModelConfig). */
export interface VllmModelSpec {
  readonly name: string;
  readonly huggingFaceId: string;
  readonly nodeGroup: string;
  readonly tensorParallelSize: number;
  readonly replicas: number;
  readonly maxModelLen: number;
  readonly maxNumBatchedTokens: number;
  readonly maxNumSeqs: number;
  readonly gpuMemoryUtilization: number;
  readonly parametersBillions: number;
  readonly autoscaling?: { readonly minReplicas: number; readonly maxReplicas: number; readonly waitingRequestsTarget: number };
}

/** Props of VllmModel. */
export interface VllmModelProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** The model. */
  readonly model: VllmModelSpec;
  /** Index of the model in the environment's models list, for error paths. @default 0 */
  readonly modelIndex?: number;
  /** The cluster's GPU node groups by name; the model's nodeGroup must be one of them. */
  readonly gpuScheduling: Readonly<Record<string, GpuScheduling>>;
  /** Bucket holding the weights under <huggingFaceId>/ (may be a token). */
  readonly modelBucketName: string;
  /** Namespace (must exist) and service account bound to the bucket-reading role. */
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** Prometheus KEDA queries. */
  readonly prometheusUrl: string;
  /** What must exist first (device plugin, monitoring and KEDA releases, the service account). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The vLLM server image, pinned. */
export const VLLM_IMAGE = { repository: "vllm/vllm-openai", tag: "v0.10.1.1" } as const;

/**
 * How a model's Deployment rolls: one old pod goes before its replacement starts, so a rollout needs no spare GPU
 * node (docs/decisions/0081-rollouts-without-spare-gpus.md).
 */
export const VLLM_ROLLOUT = { maxSurge: 0, maxUnavailable: 1 } as const;

/** Port of every vLLM server. */
export const VLLM_PORT = 8000;

/**
 * How a model's weights get to its GPUs: streamed from S3 by vLLM's Run:ai Model Streamer (no local copy), with
 * the figures the startup probe is sized from (docs/decisions/0083-model-weights-streamed-from-s3.md).
 */
export const VLLM_WEIGHTS = {
  loader: "runai-streamer",
  /** Parallel S3 readers: the concurrency at which Run:ai's benchmark peaked on S3 (32). */
  streamerConcurrency: 32,
  /** CPU buffer per worker: 8 GiB, well inside the pod's memory request. */
  streamerMemoryLimitBytes: 8 * 2 ** 30,
  /** GB/s assumed from S3: half of the 3.07 GB/s Run:ai measured (15 GB in 4.88 s at concurrency 32). */
  streamGBPerSecond: 1.5,
} as const;

/** Bytes of bf16 safetensors per billion parameters, with 5 % for embeddings kept in fp32 and file overhead. */
const WEIGHT_GB_PER_BILLION = 2 * 1.05;

/**
 * Seconds the startup probe allows a model to become ready: streaming its bf16 weights from S3 at
 * VLLM_WEIGHTS.streamGBPerSecond, plus engine warm-up (workers, memory profiling, CUDA graph capture: 120 s plus
 * 2 s per billion parameters), three times over so a slow S3 day or a cold node is not killed; at least 10 minutes.
 */
export function startupAllowanceSeconds(parametersBillions: number): number {
  const stream = (parametersBillions * WEIGHT_GB_PER_BILLION) / VLLM_WEIGHTS.streamGBPerSecond;
  const warmUp = 120 + 2 * parametersBillions;
  return Math.max(600, Math.ceil(3 * (stream + warmUp)));
}

/** A vLLM model server. */
export class VllmModel extends Construct {
  /** The release. */
  readonly release: HelmRelease;
  /** Release name, also the Service name: vllm-<model>. */
  readonly releaseName: string;
  /** OpenAI base URL: http://<release>.<namespace>.svc.cluster.local:8000/v1. */
  readonly url: string;
  /** Labels selecting the model's pods. */
  readonly podSelector: Readonly<Record<string, string>>;

  constructor(scope: Construct, id: string, props: VllmModelProps) {
    super(scope, id);
    const { model, environment } = props;
    const at = `models[${props.modelIndex ?? 0}]`;
    const where = (field: string) => ({ environment, subject: `model "${model.name}"`, path: `${at}.${field}` });
    const group = props.gpuScheduling[model.nodeGroup];
    if (!group) {
      const known = Object.keys(props.gpuScheduling).sort().join(", ") || "none";
      throw new PlatformConfigError(where("nodeGroup"), `expected a GPU node group of the cluster (${known}), got "${model.nodeGroup}"`);
    }
    if (model.tensorParallelSize > group.gpusPerNode) {
      throw new PlatformConfigError(
        where("tensorParallelSize"),
        `tensorParallelSize (${model.tensorParallelSize}) exceeds GPUs per node of ${model.nodeGroup} (${group.gpusPerNode})`,
      );
    }
    if (model.autoscaling && model.autoscaling.minReplicas > model.autoscaling.maxReplicas) {
      throw new PlatformConfigError(where("autoscaling.minReplicas"), `expected minReplicas (${model.autoscaling.minReplicas}) ≤ maxReplicas (${model.autoscaling.maxReplicas})`);
    }
    this.releaseName = `vllm-${model.name}`;
    const tp = model.tensorParallelSize;
    const startupPeriod = 10;
    // bf16 weights take 2 bytes a parameter; 10% and 10 GiB spare for tokenizer files and safetensors overhead.
    const weightsGiB = Math.ceil(model.parametersBillions * 2 * 1.1) + 10;
    const resources: ResourcesValues = { requests: { cpu: String(4 * tp), memory: `${24 * tp}Gi` }, limits: { memory: `${48 * tp}Gi` } };
    const placement = { nodeSelector: { ...group.nodeSelector }, tolerations: group.tolerations.map(tolerationValues) };
    this.release = new HelmRelease(this, "release", {
      environment,
      releaseName: this.releaseName,
      namespace: props.namespace,
      chart: "vllm-model",
      dependsOn: props.dependsOn,
      // Pods may wait for GPU nodes (a group scaled from zero): don't hold the apply on them.
      wait: false,
      values: {
        fullnameOverride: this.releaseName,
        image: { repository: VLLM_IMAGE.repository, tag: VLLM_IMAGE.tag, pullPolicy: "IfNotPresent" },
        model: {
          servedName: model.name,
          huggingFaceId: model.huggingFaceId,
          tensorParallelSize: tp,
          maxNumBatchedTokens: model.maxNumBatchedTokens,
          maxNumSeqs: model.maxNumSeqs,
          gpuMemoryUtilization: model.gpuMemoryUtilization,
          dtype: "bfloat16",
          enablePrefixCaching: true,
          maxModelLen: model.maxModelLen,
          enableLogRequests: false,
        },
        replicaCount: model.replicas,
        weights: {
          s3Bucket: props.modelBucketName,
          localPath: "/models",
          sizeLimit: `${weightsGiB}Gi`,
          syncImage: { repository: "public.ecr.aws/aws-cli/aws-cli", tag: "2.27.50" },
          loader: VLLM_WEIGHTS.loader,
          streamer: { concurrency: VLLM_WEIGHTS.streamerConcurrency, memoryLimitBytes: VLLM_WEIGHTS.streamerMemoryLimitBytes },
        },
        rollout: { ...VLLM_ROLLOUT },
        shmSizeLimit: `${Math.min(64, 8 * tp)}Gi`,
        ...placement,
        resources,
        serviceAccount: { create: false, name: props.serviceAccountName },
        service: { port: VLLM_PORT },
        probes: {
          startup: { periodSeconds: startupPeriod, failureThreshold: Math.ceil(startupAllowanceSeconds(model.parametersBillions) / startupPeriod) },
          readiness: { periodSeconds: 10, failureThreshold: 3 },
          liveness: { periodSeconds: 15, failureThreshold: 4 },
        },
        podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
        autoscaling: model.autoscaling
          ? {
              enabled: true,
              minReplicas: model.autoscaling.minReplicas,
              maxReplicas: model.autoscaling.maxReplicas,
              waitingRequestsTarget: model.autoscaling.waitingRequestsTarget,
              prometheusAddress: props.prometheusUrl,
            }
          : { enabled: false, minReplicas: model.replicas, maxReplicas: Math.max(1, model.replicas), waitingRequestsTarget: 5, prometheusAddress: props.prometheusUrl },
        serviceMonitor: { enabled: true, interval: "15s" },
      },
      workloads: [
        {
          name: this.releaseName,
          kind: "Deployment",
          replicas: model.replicas,
          ...(model.autoscaling ? { maxReplicas: model.autoscaling.maxReplicas } : {}),
          surge: VLLM_ROLLOUT.maxSurge,
          requests: { ...requestsOf(resources), gpus: tp },
          nodeSelector: group.nodeSelector,
          tolerations: group.tolerations,
        },
      ],
    });
    this.url = `http://${this.releaseName}.${props.namespace}.svc.cluster.local:${VLLM_PORT}/v1`;
    this.podSelector = { "app.kubernetes.io/name": "vllm-model", "app.kubernetes.io/instance": this.releaseName };
  }
}
