/**
 * metrics-server: the resource metrics API (metrics.k8s.io) the gateway's HorizontalPodAutoscaler reads CPU from,
 * and `kubectl top`. The chart's default arguments fit EKS (kubelet's InternalIP, its status port).
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { NODE_LABELS } from "./node-labels";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { requestsOf, type ResourcesValues } from "./private/workloads";

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

/** The chart's default requests (100m / 200Mi), with a memory limit. */
const METRICS_SERVER_RESOURCES: ResourcesValues = { requests: { cpu: "100m", memory: "200Mi" }, limits: { memory: "400Mi" } };

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
        resources: METRICS_SERVER_RESOURCES,
        nodeSelector: { [NODE_LABELS.role]: "system" },
        metrics: { enabled: monitor },
        serviceMonitor: { enabled: monitor },
      },
      // The chart's Deployment keeps Kubernetes' default rolling update (25 %, rounded up: one extra pod).
      workloads: [
        { name: "metrics-server", kind: "Deployment", replicas, surge: 1, requests: requestsOf(METRICS_SERVER_RESOURCES), nodeSelector: { [NODE_LABELS.role]: "system" } },
      ],
    });
  }
}
