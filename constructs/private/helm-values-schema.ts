/**
 * Checks Helm values against a chart's values.schema.json with ajv at synth time, so a bad value fails
 * `cdktf synth` (naming the environment, the release and the field path) instead of `helm upgrade` at apply.
 *
 * Values may hold cdktf tokens (e.g. the model bucket's name, known only after the cluster stack is applied).
 * They are replaced by a placeholder before validation, so a schema can still check types around them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Ajv, { type ErrorObject, type ValidateFunction } from "ajv";
import addFormats from "ajv-formats";
import { Token } from "cdktf";
import { parse } from "yaml";
import { PlatformConfigError } from "./platform-errors";

/** What a token stands for while validating: a lowercase DNS-safe word that fits names, hosts and bucket names. */
export const TOKEN_PLACEHOLDER = "unresolved-token";
const TOKEN_IN_STRING = /\$\{TfToken\[[^\]]+\]\}/g;

/** Returns a copy of a values tree with every token string replaced by the placeholder. */
export function withTokenPlaceholders(value: unknown): unknown {
  if (typeof value === "string") return Token.isUnresolved(value) ? value.replace(TOKEN_IN_STRING, TOKEN_PLACEHOLDER) : value;
  if (typeof value === "number") return Token.isUnresolved(value) ? 0 : value;
  if (Array.isArray(value)) return value.map(withTokenPlaceholders);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withTokenPlaceholders(v)]));
  }
  return value;
}

/** `/resources/limits/nvidia.com~1gpu` → `values.resources.limits["nvidia.com/gpu"]`. */
export function valuesPath(instancePath: string, extraKey?: string): string {
  const parts = instancePath
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (extraKey !== undefined) parts.push(extraKey);
  return parts.reduce((acc, p) => {
    if (/^\d+$/.test(p)) return `${acc}[${p}]`;
    if (/^[A-Za-z_$][\w$]*$/.test(p)) return `${acc}.${p}`;
    return `${acc}[${JSON.stringify(p)}]`;
  }, "values");
}

/** One readable line per ajv error: the field path and what was expected. Never echoes the value itself. */
export function describeSchemaError(e: ErrorObject): { path: string; message: string } {
  switch (e.keyword) {
    case "additionalProperties": {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      return { path: valuesPath(e.instancePath, key), message: "unknown key: not in the chart's values.schema.json" };
    }
    case "required": {
      const key = (e.params as { missingProperty: string }).missingProperty;
      return { path: valuesPath(e.instancePath, key), message: "required by the chart's values.schema.json, but missing" };
    }
    case "enum": {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues;
      return { path: valuesPath(e.instancePath), message: `expected one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}` };
    }
    default:
      return { path: valuesPath(e.instancePath), message: `${e.message ?? "does not match"}, per the chart's values.schema.json` };
  }
}

const ajv = new Ajv({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction>();

/** The compiled schema of a chart directory (compiled once per process). */
export function chartSchema(chartDir: string): ValidateFunction {
  let validate = compiled.get(chartDir);
  if (!validate) {
    validate = ajv.compile(JSON.parse(readFileSync(join(chartDir, "values.schema.json"), "utf8")) as object);
    compiled.set(chartDir, validate);
  }
  return validate;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Helm's coalescing of user values over the chart's values.yaml: maps merge key by key, anything else (lists,
 * scalars) replaces, and null removes the default. Hand-rolled because it is these dozen lines, and Helm's rule
 * differs from general deep-merge libraries (which concatenate arrays or keep nulls).
 */
export function coalesceValues(defaults: unknown, user: unknown): unknown {
  if (!isPlainObject(defaults) || !isPlainObject(user)) return user === undefined ? defaults : user;
  const out: Record<string, unknown> = { ...defaults };
  for (const [k, v] of Object.entries(user)) {
    if (v === null) delete out[k];
    else out[k] = coalesceValues(defaults[k], v);
  }
  return out;
}

const chartDefaults = new Map<string, unknown>();

/** The chart's values.yaml, parsed once per process. */
export function chartDefaultValues(chartDir: string): unknown {
  if (!chartDefaults.has(chartDir)) chartDefaults.set(chartDir, parse(readFileSync(join(chartDir, "values.yaml"), "utf8")) ?? {});
  return chartDefaults.get(chartDir);
}

/** Where a values object is going, for error messages. */
export interface ValuesTarget {
  readonly environment: string;
  readonly release: string;
  readonly chart: string;
  readonly chartDir: string;
}

/**
 * Throws PlatformConfigError on the first schema violation (errors sorted by path, so the message is stable).
 * Like Helm, it validates the values coalesced over the chart's values.yaml.
 */
export function assertValuesMatchSchema(values: unknown, target: ValuesTarget): void {
  const validate = chartSchema(target.chartDir);
  if (validate(withTokenPlaceholders(coalesceValues(chartDefaultValues(target.chartDir), values)))) return;
  const problems = (validate.errors ?? [])
    .filter((e) => e.keyword !== "if")
    .map(describeSchemaError)
    .sort((a, b) => a.path.localeCompare(b.path));
  const first = problems[0] ?? { path: "values", message: "does not match the chart's values.schema.json" };
  throw new PlatformConfigError(
    { environment: target.environment, subject: `release "${target.release}" (chart ${target.chart})`, path: first.path },
    first.message + (problems.length > 1 ? ` (and ${problems.length - 1} more problem${problems.length > 2 ? "s" : ""})` : ""),
  );
}
