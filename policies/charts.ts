/**
 * Helm charts kept in this repository (charts/<name>, which cdktf copies into the stack as an asset,
 * "assets/<id>/<hash>"). Helm merges a release's `values` over the chart's values.yaml, so a rule about the rendered
 * configuration (image tags, GPU limits, persistence) has to see both; the chart's name comes from Chart.yaml.
 * Remote charts are not fetched: their defaults are unknown here and rules read only the release's own values.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAbsolute, join, resolve } from "node:path";
import { parse } from "yaml";
import type { JsonObject, LocalChart, PolicyResource } from "./types";
import { isObject } from "./values";

/** True when a chart reference can only be a path (Helm reads these from disk). */
export function isLocalChart(chart: string): boolean {
  return chart.startsWith("./") || chart.startsWith("../") || isAbsolute(chart);
}

/** True when a release's chart might be on disk: a path, or a name without a repository that is not OCI. */
function mayBeLocal(release: PolicyResource, chart: string): boolean {
  return isLocalChart(chart) || (typeof release.values.repository !== "string" && !chart.startsWith("oci://"));
}

/** Reads Chart.yaml and values.yaml of every chart found on disk, trying each base directory in turn. */
export function loadLocalCharts(resources: readonly PolicyResource[], baseDirs: readonly string[]): Map<string, LocalChart> {
  const out = new Map<string, LocalChart>();
  for (const r of resources) {
    if (r.type !== "helm_release") continue;
    const chart = r.values.chart;
    if (typeof chart !== "string" || out.has(chart) || !mayBeLocal(r, chart)) continue;
    for (const base of isAbsolute(chart) ? [""] : baseDirs) {
      const dir = isAbsolute(chart) ? chart : resolve(base, chart);
      const chartFile = join(dir, "Chart.yaml");
      if (!existsSync(chartFile)) continue;
      const meta: unknown = parse(readFileSync(chartFile, "utf8"));
      const valuesFile = join(dir, "values.yaml");
      const values: unknown = existsSync(valuesFile) ? parse(readFileSync(valuesFile, "utf8")) : {};
      const name = isObject(meta) && typeof meta.name === "string" ? meta.name : chart;
      const version = isObject(meta) && typeof meta.version === "string" ? meta.version : undefined;
      out.set(chart, { name, version, values: isObject(values) ? values : ({} as JsonObject) });
      break;
    }
  }
  return out;
}
