/**
 * NVIDIA DCGM exporter on every GPU node group, with a ServiceMonitor: GPU utilization, memory, temperature and
 * power (DCGM_FI_DEV_*) for the GPU dashboard and the GPU memory alert.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { GpuScheduling } from "../stacks/cluster-outputs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { anyGroupNodeAffinity, tolerationValues, unionTolerations } from "./private/platform-scheduling";
import { affinityTerms, requestsOf, type ResourcesValues } from "./private/workloads";

/** Requests and limits of the exporter's pod. */
const DCGM_RESOURCES: ResourcesValues = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "512Mi" } };

/** Props of DcgmExporter. */
export interface DcgmExporterProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Namespace (must exist). */
  readonly namespace: string;
  /** The GPU node groups, by name. */
  readonly gpuScheduling: Readonly<Record<string, GpuScheduling>>;
  /** Scrape interval. @default "15s" */
  readonly scrapeInterval?: string;
  /** What must exist first (the monitoring release, for the ServiceMonitor CRD). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The DCGM exporter DaemonSet. */
export class DcgmExporter extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: DcgmExporterProps) {
    super(scope, id);
    const groups = Object.values(props.gpuScheduling);
    if (groups.length === 0) throw new Error("gpuScheduling must hold at least one GPU node group");
    const interval = props.scrapeInterval ?? "15s";
    if (!/^\d+[sm]$/.test(interval)) throw new Error(`scrapeInterval (${interval}) must be a duration such as 15s or 1m`);
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: "dcgm-exporter",
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.dcgmExporter,
      dependsOn: props.dependsOn,
      values: {
        affinity: anyGroupNodeAffinity(groups),
        tolerations: unionTolerations(groups).map(tolerationValues),
        serviceMonitor: { enabled: true, interval, honorLabels: false },
        resources: DCGM_RESOURCES,
      },
      workloads: [{ name: "dcgm-exporter", kind: "DaemonSet", requests: requestsOf(DCGM_RESOURCES), nodeAffinity: affinityTerms(anyGroupNodeAffinity(groups)), tolerations: unionTolerations(groups) }],
    });
  }
}
