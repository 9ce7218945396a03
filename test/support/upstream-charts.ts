/**
 * The upstream-facts table (constructs/data/upstream-charts.json) and the check that holds a synthesized Helm
 * release to it: chart, version and repository must be an entry, and every values key path the release sets must
 * be a verified key of that chart version, or lie under one marked open (a map the chart renders verbatim).
 */
import table from "../../constructs/data/upstream-charts.json";

export interface VerifiedKey {
  readonly path: string;
  readonly source: string;
  readonly open?: boolean;
  readonly note?: string;
}
export interface UpstreamChartFacts {
  readonly key: string;
  readonly chart: string;
  readonly version: string;
  readonly repository: string;
  readonly served: { readonly source: string; readonly archive: string; readonly note?: string; readonly also?: string };
  readonly values: string;
  readonly keys: readonly VerifiedKey[];
  /** The image the chart version runs by default (read at `source`); `published` says how far its push was verified. */
  readonly image?: { readonly reference: string; readonly source: string; readonly published: string };
}
export interface NotServed { readonly chart: string; readonly version: string; readonly repository: string; readonly source: string; readonly note: string }

export const UPSTREAM_FACTS = table.charts as readonly UpstreamChartFacts[];
export const NOT_SERVED = table.notServed as readonly NotServed[];
/** owner/repo@ref:path */
export const SOURCE = /^[\w.-]+\/[\w.-]+@[\w.-]+:[\w./-]+( \(.+\))?$/;

/** A release as synthesized: what the helm_release resource carries. */
export interface SynthesizedRelease {
  readonly environment: string;
  readonly name: string;
  readonly chart: string;
  readonly version?: string;
  readonly repository?: string;
  readonly values: unknown;
}

/** The key paths of a values tree: every path to a scalar, a list or an empty map. */
export function valuesKeyPaths(values: unknown, prefix: readonly string[] = []): string[][] {
  if (values === null || typeof values !== "object" || Array.isArray(values) || Object.keys(values).length === 0) {
    return prefix.length > 0 ? [[...prefix]] : [];
  }
  return Object.entries(values as Record<string, unknown>).flatMap(([k, v]) => valuesKeyPaths(v, [...prefix, k]));
}

/** Problems of one release against the table; empty when it conforms. */
export function upstreamReleaseProblems(r: SynthesizedRelease, facts: readonly UpstreamChartFacts[] = UPSTREAM_FACTS): string[] {
  const where = `environment "${r.environment}", release "${r.name}" (chart ${r.chart} ${r.version ?? "(no version)"} from ${r.repository ?? "(no repository)"})`;
  const entry = facts.find((f) => f.chart === r.chart && f.version === r.version && f.repository === r.repository);
  if (!entry) {
    const sameChart = facts.filter((f) => f.chart === r.chart).map((f) => `${f.version} from ${f.repository}`);
    return [`${where}: not in constructs/data/upstream-charts.json (verified for this chart: ${sameChart.join(", ") || "nothing"})`];
  }
  const problems: string[] = [];
  for (const segs of valuesKeyPaths(r.values)) {
    const path = segs.join(".");
    const ok = entry.keys.some((k) => {
      const key = k.path.split(".");
      const isPrefix = key.length <= segs.length && key.every((s, i) => segs[i] === s);
      return isPrefix && (key.length === segs.length || k.open === true);
    });
    if (!ok) problems.push(`${where}: values key "${path}" is not a verified key of ${r.chart} ${r.version} (${entry.values})`);
  }
  return problems;
}
