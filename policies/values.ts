/**
 * Reading attributes of a normalized resource without caring which input it came from. Synthesized cdktf JSON
 * writes a single nested block as an object (`"vpc_config": {...}`) and booleans sometimes as strings ("true");
 * a plan writes every block as a list and marks unknown values in a mirror tree (`after_unknown`). A Node pairs a
 * value with its unknown-mirror so rules can walk both at once and get a three-state Lookup at the end.
 */
import type { JsonObject, JsonValue, Lookup, PolicyResource } from "./types";

/** A position in a resource's attribute tree. */
export interface Node {
  readonly value: JsonValue | undefined;
  readonly unknown: JsonValue | undefined;
}

/** True for strings carrying a Terraform interpolation, which cdktf emits for references ("${aws_x.y.id}"). */
export function isToken(value: unknown): value is string {
  return typeof value === "string" && value.includes("${");
}

export function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

/** The root node of a resource. */
export function root(resource: PolicyResource): Node {
  return { value: resource.values, unknown: resource.unknown };
}

/**
 * One step down: an object key, or a list index. A string key applied to a list reads its first element (how
 * HCL addresses a single block, `vpc_config[0].x`); index 0 applied to an object reads the object itself.
 */
export function child(node: Node, key: string | number): Node {
  if (node.unknown === true) return { value: undefined, unknown: true };
  let value: JsonValue | undefined = node.value;
  let unknown: JsonValue | undefined = node.unknown;
  if (typeof key === "string" && Array.isArray(value)) {
    value = value[0];
    unknown = Array.isArray(unknown) ? unknown[0] : undefined;
  }
  if (typeof key === "number") {
    if (Array.isArray(value)) return { value: value[key], unknown: Array.isArray(unknown) ? unknown[key] : undefined };
    return key === 0 ? { value, unknown } : { value: undefined, unknown: undefined };
  }
  return {
    value: isObject(value) ? value[key] : undefined,
    unknown: isObject(unknown) ? unknown[key] : undefined,
  };
}

/** Follows a path of keys from a node. */
export function at(node: Node, ...path: ReadonlyArray<string | number>): Node {
  return path.reduce<Node>((n, k) => child(n, k), node);
}

/** What is known about the value at a node. */
export function read(node: Node): Lookup {
  if (node.unknown === true) return { state: "unknown", reason: "known after apply" };
  const v = node.value;
  if (v === undefined || v === null) return { state: "absent" };
  if (isToken(v)) return { state: "unknown", reason: `reference ${v}` };
  return { state: "known", value: v };
}

/** Reads a path of a resource. */
export function get(resource: PolicyResource, ...path: ReadonlyArray<string | number>): Lookup {
  return read(at(root(resource), ...path));
}

/** The elements of a block list (a lone object counts as a one-element list); [] when absent or unknown. */
export function items(node: Node): Node[] {
  const { value, unknown } = node;
  if (Array.isArray(value)) return value.map((v, i) => ({ value: v, unknown: Array.isArray(unknown) ? unknown[i] : unknown === true ? true : undefined }));
  if (isObject(value)) return [{ value, unknown }];
  return [];
}

/** Interprets a Lookup as a boolean; cdktf writes some booleans as "true"/"false". */
export function boolOf(lookup: Lookup): boolean | "unknown" | undefined {
  if (lookup.state === "unknown") return "unknown";
  if (lookup.state === "absent") return undefined;
  const v = lookup.value;
  if (v === true || v === "true") return true;
  if (v === false || v === "false") return false;
  return undefined;
}

/** Interprets a Lookup as a number (numbers may arrive as strings). */
export function numberOf(lookup: Lookup): number | "unknown" | undefined {
  if (lookup.state === "unknown") return "unknown";
  if (lookup.state === "absent") return undefined;
  const n = typeof lookup.value === "number" ? lookup.value : typeof lookup.value === "string" ? Number(lookup.value) : NaN;
  return Number.isFinite(n) ? n : undefined;
}

/** Interprets a Lookup as a string. */
export function stringOf(lookup: Lookup): string | "unknown" | undefined {
  if (lookup.state === "unknown") return "unknown";
  if (lookup.state === "absent") return undefined;
  return typeof lookup.value === "string" ? lookup.value : typeof lookup.value === "number" || typeof lookup.value === "boolean" ? String(lookup.value) : undefined;
}

/**
 * A list of strings. "unknown" when the list itself is unknown; elements that are unknown are reported in
 * `unknownElements` so a rule can decide whether they matter.
 */
export function stringListOf(lookup: Lookup): { values: string[]; unknownElements: number } | "unknown" | undefined {
  if (lookup.state === "unknown") return "unknown";
  if (lookup.state === "absent") return undefined;
  const list = Array.isArray(lookup.value) ? lookup.value : [lookup.value];
  const values: string[] = [];
  let unknownElements = 0;
  for (const v of list) {
    if (typeof v === "string" && !isToken(v)) values.push(v);
    else if (isToken(v)) unknownElements++;
    else if (typeof v === "number") values.push(String(v));
  }
  return { values, unknownElements };
}

/** A string map (tags, labels); unknown entries are left out and counted. */
export function stringMapOf(lookup: Lookup): { map: Record<string, string>; unknownKeys: string[] } | "unknown" | undefined {
  if (lookup.state === "unknown") return "unknown";
  if (lookup.state === "absent") return undefined;
  if (!isObject(lookup.value)) return undefined;
  const map: Record<string, string> = {};
  const unknownKeys: string[] = [];
  for (const [k, v] of Object.entries(lookup.value)) {
    if (isToken(v)) unknownKeys.push(k);
    else if (typeof v === "string") map[k] = v;
  }
  return { map, unknownKeys };
}

/** Plan unknown-mirror entries under an object node: keys whose value is unknown even though absent in `value`. */
export function unknownKeysOf(node: Node): string[] {
  return isObject(node.unknown) ? Object.entries(node.unknown).filter(([, v]) => v === true).map(([k]) => k) : [];
}
