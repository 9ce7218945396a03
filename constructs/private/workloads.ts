/**
 * What a Helm release runs, as the scheduling check (scheduling-check.ts) needs it: each workload's kind, pod
 * count (configured and at its autoscaling maximum), rolling-update surge, the pod's resource requests and where it
 * may run (nodeSelector, node affinity, tolerations). Every release declares its workloads next to its values, so
 * the declaration reads the same numbers the chart is given; for our charts a test renders the chart and checks the
 * declaration against the rendered manifests.
 */
import { Token } from "cdktf";

/** A pod's toleration; a missing key with operator Exists tolerates every taint (of the effect, if given). */
export interface WorkloadToleration {
  readonly key?: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** A pod's resource requests, as Kubernetes quantities (the sum over its containers). */
export interface PodRequests {
  /** CPU, e.g. "500m" or "4". */
  readonly cpu: string;
  /** Memory, e.g. "512Mi" or "6Gi". */
  readonly memory: string;
  /** nvidia.com/gpu. @default 0 */
  readonly gpus?: number;
}

/** One workload of a release. */
export interface Workload {
  /** Name within the release, e.g. "prometheus" or the Deployment's name. */
  readonly name: string;
  readonly kind: "Deployment" | "StatefulSet" | "DaemonSet";
  /** Pods at the configured count (ignored for a DaemonSet, which runs one pod on every matching node). @default 1 */
  readonly replicas?: number;
  /** Pods at the autoscaling maximum (HPA or KEDA). @default - replicas */
  readonly maxReplicas?: number;
  /** Extra pods during a rolling update (a Deployment's maxSurge as a pod count). @default 0 */
  readonly surge?: number;
  /** Requests of one pod. */
  readonly requests: PodRequests;
  /** Node labels the pod selects. @default {} */
  readonly nodeSelector?: Readonly<Record<string, string>>;
  /** Required node affinity: terms ORed, each a map of label key to allowed values (ANDed). @default - none */
  readonly nodeAffinity?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
  /** Tolerations of the pod. @default [] */
  readonly tolerations?: readonly WorkloadToleration[];
}

/** A Kubernetes `resources` block as charts take it. */
export interface ResourcesValues {
  readonly requests: { readonly cpu: string; readonly memory: string; readonly "nvidia.com/gpu"?: number | string };
  readonly limits?: Readonly<Record<string, string | number>>;
}

/** The requests of a `resources` block. */
export function requestsOf(resources: ResourcesValues): PodRequests {
  const gpu = resources.requests["nvidia.com/gpu"] ?? resources.limits?.["nvidia.com/gpu"];
  return { cpu: resources.requests.cpu, memory: resources.requests.memory, ...(gpu !== undefined ? { gpus: Number(gpu) } : {}) };
}

/** A required nodeAffinity as Helm values spell it (platform-scheduling.ts's anyGroupNodeAffinity) as workload terms. */
export function affinityTerms(affinity: Record<string, unknown>): Array<Record<string, string[]>> {
  type Expr = { key: string; operator: string; values: string[] };
  const terms = (affinity as { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchExpressions?: Expr[] }> } } })
    .nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  return terms.map((t) => {
    const exprs = t.matchExpressions ?? [];
    const bad = exprs.find((e) => e.operator !== "In");
    if (bad) throw new Error(`node affinity operator ${bad.operator} (key ${bad.key}) is not supported by the scheduling check; use In`);
    return Object.fromEntries(exprs.map((e) => [e.key, [...e.values]]));
  });
}

/** CPU quantity in millicores; undefined when it is not a quantity (or an unresolved token). */
export function cpuMillis(q: string): number | undefined {
  if (Token.isUnresolved(q)) return undefined;
  const m = /^(\d+(?:\.\d+)?)(m?)$/.exec(q.trim());
  if (!m) return undefined;
  return m[2] === "m" ? Number(m[1]) : Math.round(Number(m[1]) * 1000);
}

const MEMORY_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
};

/** Memory quantity in MiB; undefined when it is not a quantity (or an unresolved token). */
export function memoryMiB(q: string): number | undefined {
  if (Token.isUnresolved(q)) return undefined;
  const m = /^(\d+(?:\.\d+)?)(k|M|G|T|Ki|Mi|Gi|Ti)?$/.exec(q.trim());
  if (!m) return undefined;
  return (Number(m[1]) * MEMORY_UNITS[m[2] ?? ""]!) / 2 ** 20;
}
