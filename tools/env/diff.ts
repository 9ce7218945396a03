/**
 * `env diff A B`: the typed differences between two validated environments (defaults filled in), one line per
 * field path. Lists of named objects (models) are matched by name, so reordering is not a difference and the
 * paths (`models[mistral-7b].replicas`) can be passed back to `env clone --set`.
 */
import type { EnvironmentConfig } from "../../stacks/environment-config";
import { environmentPath, readEnvironmentFile } from "./environment-folder";
import { EnvToolError } from "./errors";

/** One difference. `before`/`after` are undefined when the field exists on one side only. */
export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

function namedList(v: unknown): v is Array<{ name: string }> {
  if (!Array.isArray(v) || v.length === 0) return false;
  const names = v.map((x) => (isRecord(x) && typeof x.name === "string" ? x.name : undefined));
  return names.every((n) => n !== undefined) && new Set(names).size === names.length;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

function walk(path: string, a: unknown, b: unknown, out: FieldChange[]): void {
  if (a === undefined && b === undefined) return;
  if (a === undefined) {
    out.push({ path, after: b });
    return;
  }
  if (b === undefined) {
    out.push({ path, before: a });
    return;
  }
  if (isRecord(a) && isRecord(b)) {
    const keys = [...Object.keys(a), ...Object.keys(b).filter((k) => !(k in a))];
    for (const k of keys) walk(join(path, k), a[k], b[k], out);
    return;
  }
  if (namedList(a) && namedList(b)) {
    const names = [...a.map((x) => x.name), ...b.map((x) => x.name).filter((n) => !a.some((x) => x.name === n))];
    for (const n of names) walk(`${path}[${n}]`, a.find((x) => x.name === n), b.find((x) => x.name === n), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b) && a.some(isRecord) && a.length === b.length) {
    a.forEach((x, i) => walk(`${path}[${i}]`, x, b[i], out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push({ path, before: a, after: b });
}

/** The differences from `a` to `b`, in schema order. */
export function diffEnvironments(a: EnvironmentConfig, b: EnvironmentConfig): FieldChange[] {
  const out: FieldChange[] = [];
  walk("", a, b, out);
  return out;
}

/** A value as one line: JSON, so strings are quoted and numbers are not (the type is visible). */
export function formatValue(v: unknown): string {
  return v === undefined ? "(unset)" : JSON.stringify(v);
}

/** One line per change: `nodeGroups.a100.desired: 1 → 2`. */
export function formatChanges(changes: readonly FieldChange[]): string[] {
  return changes.map((c) => `${c.path}: ${formatValue(c.before)} → ${formatValue(c.after)}`);
}

/** Loads an environment for diffing: by name from `dir`, or by path when the argument ends in .yaml/.yml. */
export function loadForDiff(dir: string, nameOrPath: string): EnvironmentConfig {
  const path = /\.ya?ml$/.test(nameOrPath) ? nameOrPath : environmentPath(dir, nameOrPath);
  const entry = readEnvironmentFile(path);
  if (!entry.config) throw new EnvToolError(`Cannot diff ${nameOrPath}`, entry.problems);
  return entry.config;
}
