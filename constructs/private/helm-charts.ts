/**
 * The charts the platform installs: our own charts in charts/ (found from this file, whether it runs from the
 * sources or from dist/), and the upstream charts with their repositories and pinned versions in one table, so a
 * version bump is a one-line, reviewable change and a test can check that every version is exact.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** Our charts, by directory name under charts/. */
export type LocalChartName = "vllm-model" | "text-embeddings" | "llm-gateway" | "observability";

/** An upstream chart: repository, chart name and exact version. */
export interface UpstreamChart {
  readonly repository: string;
  readonly chart: string;
  /** Exact semantic version; ranges are refused by the tests. */
  readonly version: string;
}

/**
 * Every upstream chart, pinned, with the repository that serves that version. Why each was chosen:
 * docs/decisions/0010..0019 and 0075..0079; where each fact was verified (repository index, values keys):
 * constructs/data/upstream-charts.json, which test/platform/upstream-charts.test.ts holds every release to.
 */
export const UPSTREAM_CHARTS = {
  nvidiaDevicePlugin: { repository: "https://nvidia.github.io/k8s-device-plugin", chart: "nvidia-device-plugin", version: "0.17.1" },
  kubePrometheusStack: { repository: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "77.5.0" },
  dcgmExporter: { repository: "https://nvidia.github.io/dcgm-exporter/helm-charts", chart: "dcgm-exporter", version: "4.1.1" },
  qdrant: { repository: "https://qdrant.github.io/qdrant-helm", chart: "qdrant", version: "1.15.4" },
  // The Valkey project's own chart and image (docs/decisions/0076-in-cluster-redis-valkey.md).
  redis: { repository: "https://valkey.io/valkey-helm", chart: "valkey", version: "0.11.0" },
  keda: { repository: "https://kedacore.github.io/charts", chart: "keda", version: "2.17.2" },
  awsLoadBalancerController: { repository: "https://aws.github.io/eks-charts", chart: "aws-load-balancer-controller", version: "1.14.1" },
  metricsServer: { repository: "https://kubernetes-sigs.github.io/metrics-server", chart: "metrics-server", version: "3.13.0" },
  clusterAutoscaler: { repository: "https://kubernetes.github.io/autoscaler", chart: "cluster-autoscaler", version: "9.59.0" },
} as const satisfies Record<string, UpstreamChart>;

/** An exact version: x.y.z with an optional pre-release, no ranges, no "latest". */
export const EXACT_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

let chartsRoot: string | undefined;

/** The repository's charts/ directory: the first ancestor of this file holding charts/vllm-model/Chart.yaml. */
export function chartsDir(): string {
  if (chartsRoot) return chartsRoot;
  let dir = __dirname;
  for (;;) {
    if (existsSync(join(dir, "charts", "vllm-model", "Chart.yaml"))) return (chartsRoot = join(dir, "charts"));
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`charts/ not found above ${__dirname}`);
    dir = parent;
  }
}

/** The directory of one of our charts. */
export function localChartDir(name: LocalChartName): string {
  return join(chartsDir(), name);
}
