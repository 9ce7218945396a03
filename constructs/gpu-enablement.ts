/**
 * GPU enablement: the NVIDIA device plugin on every GPU node group, so pods can request `nvidia.com/gpu`.
 * The EKS NVIDIA AMI already carries the driver and the container toolkit, so the full GPU operator is not
 * needed (docs/decisions/0010-nvidia-device-plugin-not-gpu-operator.md).
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { GpuScheduling } from "../stacks/cluster-outputs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { anyGroupNodeAffinity, tolerationValues, unionTolerations } from "./private/platform-scheduling";
import { affinityTerms, requestsOf, type ResourcesValues } from "./private/workloads";

/** Requests and limits of the device plugin's pod. */
const DEVICE_PLUGIN_RESOURCES: ResourcesValues = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } };

/** Props of GpuEnablement. */
export interface GpuEnablementProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** The GPU node groups, by name (from the cluster stack's outputs). */
  readonly gpuScheduling: Readonly<Record<string, GpuScheduling>>;
  /** Namespace of the device plugin. @default "kube-system" */
  readonly namespace?: string;
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The NVIDIA device plugin, scheduled on every GPU node group. */
export class GpuEnablement extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: GpuEnablementProps) {
    super(scope, id);
    const groups = Object.values(props.gpuScheduling);
    if (groups.length === 0) throw new Error("gpuScheduling must hold at least one GPU node group");
    this.release = new HelmRelease(this, "device-plugin", {
      environment: props.environment,
      releaseName: "nvidia-device-plugin",
      namespace: props.namespace ?? "kube-system",
      chart: UPSTREAM_CHARTS.nvidiaDevicePlugin,
      dependsOn: props.dependsOn,
      values: {
        priorityClassName: "system-node-critical",
        // Replaces the chart's default affinity (which expects Node Feature Discovery labels) with our node groups.
        affinity: anyGroupNodeAffinity(groups),
        tolerations: unionTolerations(groups).map(tolerationValues),
        gfd: { enabled: false },
        nfd: { enabled: false },
        config: { map: {} },
        // NVIDIA/k8s-device-plugin@v0.17.1:deployments/helm/nvidia-device-plugin/values.yaml (resources: {}).
        resources: DEVICE_PLUGIN_RESOURCES,
      },
      workloads: [
        { name: "nvidia-device-plugin", kind: "DaemonSet", requests: requestsOf(DEVICE_PLUGIN_RESOURCES), nodeAffinity: affinityTerms(anyGroupNodeAffinity(groups)), tolerations: unionTolerations(groups) },
      ],
    });
  }
}
