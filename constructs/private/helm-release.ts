/**
 * One Helm release of the platform, our chart or an upstream one. Values are a typed object, checked against the
 * chart's values.schema.json (ours) before anything is written, then rendered to YAML for the Helm provider.
 * Our charts are copied into the stack's output as assets, so a synthesized stack is self-contained.
 */
import { Construct } from "constructs";
import { AssetType, TerraformAsset, type ITerraformDependable } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { stringify } from "yaml";
import { assertValuesMatchSchema } from "./helm-values-schema";
import { EXACT_VERSION, localChartDir, type LocalChartName, type UpstreamChart } from "./helm-charts";
import { PlatformConfigError } from "./platform-errors";
import type { Workload } from "./workloads";

/** Helm values: a JSON-like tree. */
export type HelmValues = { readonly [key: string]: unknown };

/** Props of HelmRelease. */
export interface HelmReleaseProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Release name (also the object name prefix in most charts). */
  readonly releaseName: string;
  /** Namespace, which must already exist (the platform stack creates them). */
  readonly namespace: string;
  /** One of our charts by name, or an upstream chart with a pinned version. */
  readonly chart: LocalChartName | UpstreamChart;
  /** The values. */
  readonly values: HelmValues;
  /** What must exist first (namespaces, CRD-providing releases, secrets). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
  /** Seconds Helm waits for the release to become ready. @default 600 */
  readonly timeoutSeconds?: number;
  /** Wait for readiness; off for releases whose pods may wait for capacity (GPU nodes scaled to zero). @default true */
  readonly wait?: boolean;
  /**
   * The pods the release runs, with their requests and placement, for the scheduling check (scheduling-check.ts);
   * [] for a chart that runs none. @default - undeclared, which the scheduling check refuses
   */
  readonly workloads?: readonly Workload[];
}

/** A validated Helm release. */
export class HelmRelease extends Construct {
  /** The Terraform resource. */
  readonly release: Release;
  /** The values as given (tokens unresolved), for tests and the CI's values files. */
  readonly values: HelmValues;
  /** Chart name. */
  readonly chartName: string;
  /** Release name. */
  readonly releaseName: string;
  /** Namespace. */
  readonly namespace: string;
  /** True for our charts in charts/. */
  readonly local: boolean;
  /** Pinned version of an upstream chart; undefined for ours (they ship with the repository). */
  readonly version?: string;
  /** The pods it runs, as declared (undefined: not declared). */
  readonly workloads?: readonly Workload[];
  /** Whether the apply waits for its pods to be ready. */
  readonly wait: boolean;

  constructor(scope: Construct, id: string, props: HelmReleaseProps) {
    super(scope, id);
    const timeout = props.timeoutSeconds ?? 600;
    if (!Number.isInteger(timeout) || timeout < 60) {
      throw new Error(`timeoutSeconds (${timeout}) must be an integer of at least 60`);
    }
    this.values = props.values;
    this.workloads = props.workloads;
    this.wait = props.wait ?? true;
    this.releaseName = props.releaseName;
    this.namespace = props.namespace;
    let chart: string;
    let repository: string | undefined;
    if (typeof props.chart === "string") {
      const chartDir = localChartDir(props.chart);
      assertValuesMatchSchema(props.values, { environment: props.environment, release: props.releaseName, chart: props.chart, chartDir });
      chart = new TerraformAsset(this, "chart", { path: chartDir, type: AssetType.DIRECTORY }).path;
      this.chartName = props.chart;
      this.local = true;
    } else {
      if (!EXACT_VERSION.test(props.chart.version)) {
        throw new PlatformConfigError(
          { environment: props.environment, subject: `release "${props.releaseName}" (chart ${props.chart.chart})`, path: "version" },
          `expected an exact chart version such as 1.2.3, got "${props.chart.version}"`,
        );
      }
      chart = props.chart.chart;
      repository = props.chart.repository;
      this.chartName = props.chart.chart;
      this.version = props.chart.version;
      this.local = false;
    }
    this.release = new Release(this, "release", {
      name: props.releaseName,
      namespace: props.namespace,
      chart,
      repository,
      version: this.version,
      values: [stringify(props.values, { lineWidth: 0 })],
      timeout,
      wait: this.wait,
      atomic: false,
      cleanupOnFail: true,
      maxHistory: 10,
      dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
    });
  }
}
