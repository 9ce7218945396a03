/**
 * The values a helm_release renders with, as Helm computes them: the chart's own values.yaml (for charts kept in
 * this repository), then each YAML document of `values` in order, then `set` entries, maps merged recursively.
 */
import { parse } from "yaml";
import type { JsonObject, JsonValue, PolicyResource, RuleContext } from "./types";
import { at, get, isObject, items, read, root, stringOf } from "./values";

export type MergedValues =
  | { readonly state: "known"; readonly values: JsonObject; readonly sources: string }
  | { readonly state: "unknown"; readonly what: string }
  | { readonly state: "invalid"; readonly message: string };

/** Helm's merge: maps merge key by key, anything else is replaced. */
export function mergeValues(base: JsonObject, over: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] = isObject(b) && isObject(v) ? mergeValues(b, v) : v;
  }
  return out;
}

/** Splits a `set` name on unescaped dots ("a.b\.c" -> ["a", "b.c"]). */
export function splitSetName(name: string): string[] {
  return name.split(/(?<!\\)\./).map((p) => p.replace(/\\\./g, "."));
}

function setPath(target: JsonObject, path: readonly string[], value: JsonValue): void {
  let node = target;
  path.forEach((key, i) => {
    if (i === path.length - 1) node[key] = value;
    else {
      const next = node[key];
      node = isObject(next) ? next : (node[key] = {});
    }
  });
}

/**
 * The chart name of a release: Chart.yaml's name for a chart on disk, else the last path segment of the chart
 * reference (OCI or repo/chart), or the chart as written.
 */
export function chartName(release: PolicyResource, context?: RuleContext): string | undefined {
  const chart = stringOf(get(release, "chart"));
  if (chart === undefined || chart === "unknown") return undefined;
  const local = context?.localChart(chart);
  if (local) return local.name;
  return chart.replace(/@sha256:.*$/, "").replace(/\/+$/, "").split("/").pop();
}

/** Computes a release's values; "unknown" when any values document is decided at apply time. */
export function mergedValues(release: PolicyResource, context: RuleContext): MergedValues {
  const chart = stringOf(get(release, "chart"));
  const defaults = typeof chart === "string" && chart !== "unknown" ? context.localChart(chart)?.values : undefined;
  let values: JsonObject = defaults ?? {};
  const valuesNode = at(root(release), "values");
  const whole = read(valuesNode);
  if (whole.state === "unknown" && valuesNode.unknown === true) return { state: "unknown", what: "values" };
  const docs = Array.isArray(valuesNode.value) ? valuesNode.value : [];
  const unknownMirror = Array.isArray(valuesNode.unknown) ? valuesNode.unknown : [];
  for (let i = 0; i < Math.max(docs.length, unknownMirror.length); i++) {
    const doc = docs[i];
    if (unknownMirror[i] === true) return { state: "unknown", what: `values[${i}]` };
    if (typeof doc !== "string") continue;
    let parsed: unknown;
    try {
      parsed = parse(doc);
    } catch (err) {
      return { state: "invalid", message: `values[${i}] is not valid YAML (${(err as Error).message.split("\n")[0]})` };
    }
    if (parsed === null || parsed === undefined) continue;
    if (!isObject(parsed)) return { state: "invalid", message: `values[${i}] is not a YAML map` };
    values = mergeValues(values, parsed);
  }
  for (const attr of ["set", "set_sensitive"] as const) {
    for (const entry of items(at(root(release), attr))) {
      if (entry.unknown === true) return { state: "unknown", what: attr };
      if (!isObject(entry.value) || typeof entry.value.name !== "string") continue;
      const v = entry.value.value;
      setPath(values, splitSetName(entry.value.name), v === undefined ? null : v);
    }
  }
  return { state: "known", values, sources: defaults ? "chart defaults, values and set" : "values and set" };
}

/** Every object in a values tree, with the key path leading to it. */
export function* walkObjects(value: JsonValue, path: string[] = []): Generator<{ path: string[]; node: JsonObject }> {
  if (isObject(value)) {
    yield { path, node: value };
    for (const [k, v] of Object.entries(value)) yield* walkObjects(v, [...path, k]);
  } else if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) yield* walkObjects(value[i]!, [...path, `[${i}]`]);
  }
}
