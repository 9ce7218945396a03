/**
 * The observability chart: the platform's recording rules and alerts (PrometheusRules) and Grafana dashboards
 * (ConfigMaps for the sidecar). The rules and dashboards are plain files in charts/observability/files/.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { HelmRelease } from "./private/helm-release";

/** Props of Observability. */
export interface ObservabilityProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Namespace (the monitoring namespace). */
  readonly namespace: string;
  /** Prometheus URL, for the chart's helm test. */
  readonly prometheusUrl: string;
  /** Dashboard sidecar label. @default "grafana_dashboard" */
  readonly dashboardLabel?: string;
  /** What must exist first (the monitoring release: PrometheusRule CRD). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** Rules and dashboards. */
export class Observability extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: ObservabilityProps) {
    super(scope, id);
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: "llm-observability",
      namespace: props.namespace,
      chart: "observability",
      dependsOn: props.dependsOn,
      values: {
        fullnameOverride: "llm-observability",
        rules: { enabled: true, labels: {} },
        dashboards: { enabled: true, sidecarLabel: props.dashboardLabel ?? "grafana_dashboard", sidecarLabelValue: "1", folder: "LLM platform" },
        testImage: { repository: "curlimages/curl", tag: "8.15.0" },
        prometheusUrl: props.prometheusUrl,
      },
      // PrometheusRules and dashboard ConfigMaps only (its helm test pod runs on demand).
      workloads: [],
    });
  }
}
