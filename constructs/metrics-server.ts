/**
 * metrics-server: the resource metrics API (metrics.k8s.io) the gateway's HorizontalPodAutoscaler reads CPU from,
 * and `kubectl top`. The chart's default arguments fit EKS (kubelet's InternalIP, its status port).
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { NODE_LABELS } from "./node-labels";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";

/** Props of MetricsServer. */
export interface MetricsServerProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Replicas (2 keeps the HPA's metrics through a node drain, with a PodDisruptionBudget). @default 2 */
  readonly replicas?: number;
  /** Export metrics with a ServiceMonitor (needs the Prometheus Operator CRDs). @default true */
  readonly serviceMonitor?: boolean;
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** metrics-server in kube-system. */
export class MetricsServer extends Construct {
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: MetricsServerProps) {
    super(scope, id);
    const replicas = props.replicas ?? 2;
    if (!Number.isInteger(replicas) || replicas < 1) throw new Error(`replicas (${replicas}) must be an integer of at least 1`);
    const monitor = props.serviceMonitor ?? true;
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: "metrics-server",
      namespace: "kube-system",
      chart: UPSTREAM_CHARTS.metricsServer,
      dependsOn: props.dependsOn,
      values: {
        replicas,
        ...(replicas > 1 ? { podDisruptionBudget: { enabled: true, minAvailable: 1 } } : {}),
        // The chart's default requests (100m / 200Mi), with a memory limit.
        resources: { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } },
        nodeSelector: { [NODE_LABELS.role]: "system" },
        metrics: { enabled: monitor },
        serviceMonitor: { enabled: monitor },
      },
    });
  }
}
