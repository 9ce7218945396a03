/**
 * aws-node-termination-handler in IMDS mode on the spot nodes: on a spot interruption notice (two minutes ahead)
 * or a rebalance recommendation it taints, cordons and drains the node, so vLLM pods get their termination grace
 * period and the Deployment reschedules them. The taint it sets is what the SpotInterruption alert watches.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { GpuScheduling } from "../stacks/cluster-outputs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { tolerationValues, unionTolerations } from "./private/platform-scheduling";

/** Props of SpotTerminationHandler. */
export interface SpotTerminationHandlerProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** The spot GPU node groups (whose taints the handler tolerates). */
  readonly spotGroups: readonly GpuScheduling[];
  /** Namespace. @default "kube-system" */
  readonly namespace?: string;
  /** Export metrics with a ServiceMonitor (needs the Prometheus Operator CRDs). @default true */
  readonly serviceMonitor?: boolean;
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The termination handler DaemonSet on spot nodes. */
export class SpotTerminationHandler extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: SpotTerminationHandlerProps) {
    super(scope, id);
    if (props.spotGroups.length === 0) throw new Error("spotGroups must hold at least one spot node group");
    const bad = props.spotGroups.find((g) => g.capacityType !== "SPOT");
    if (bad) throw new Error(`spotGroups must only hold SPOT groups, got a ${bad.capacityType} ${bad.accelerator} group`);
    const serviceMonitor = props.serviceMonitor ?? true;
    this.release = new HelmRelease(this, "nth", {
      environment: props.environment,
      releaseName: "aws-node-termination-handler",
      namespace: props.namespace ?? "kube-system",
      chart: UPSTREAM_CHARTS.nodeTerminationHandler,
      dependsOn: props.dependsOn,
      values: {
        enableSpotInterruptionDraining: true,
        enableRebalanceMonitoring: true,
        enableRebalanceDraining: true,
        enableScheduledEventDraining: true,
        taintNode: true,
        // Let vLLM finish in-flight generations (its grace period) within the two-minute notice.
        podTerminationGracePeriod: -1,
        nodeTerminationGracePeriod: 110,
        daemonsetNodeSelector: { "eks.amazonaws.com/capacityType": "SPOT" },
        daemonsetTolerations: unionTolerations(props.spotGroups).map(tolerationValues),
        enablePrometheusServer: serviceMonitor,
        serviceMonitor: { create: serviceMonitor },
      },
      // The project sets no requests for the handler (the chart's default resources is empty): it takes none.
      workloads: [
        { name: "aws-node-termination-handler", kind: "DaemonSet", requests: { cpu: "0", memory: "0" }, nodeSelector: { "eks.amazonaws.com/capacityType": "SPOT" }, tolerations: unionTolerations(props.spotGroups) },
      ],
    });
  }
}
