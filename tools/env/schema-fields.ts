/**
 * Typed overrides: resolves a field path against the environment schema (zod 4 definitions, read through
 * `_zod.def`) and parses a command-line string into the type the field expects. Unions pick their option by the
 * discriminator written in the environment (`kind: gpu`, `mode: managed`), so `nodeGroups.a100.accelerator`
 * resolves to the GPU group's enum.
 */
import type { z } from "zod";
import { EnvToolError } from "./errors";
import { formatFieldPath, parseFieldPath } from "./field-paths";

/** The subset of zod 4's internal definition this module reads. */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly discriminator?: string;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly values?: readonly unknown[];
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

const WRAPPERS = new Set(["optional", "default", "prefault", "nullable", "catch", "readonly", "nonoptional"]);

/** The schema under optional/default/prefault/... wrappers and the input side of pipes. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (;;) {
    const def = defOf(s);
    if (WRAPPERS.has(def.type) && def.innerType) s = def.innerType;
    else if (def.type === "pipe" && def.in) s = def.in;
    else return s;
  }
}

/** What a field accepts on the command line. */
export type FieldType =
  | { readonly kind: "number"; readonly integer: boolean }
  | { readonly kind: "boolean" }
  | { readonly kind: "enum"; readonly values: readonly (string | number | boolean)[] }
  | { readonly kind: "string" }
  | { readonly kind: "json"; readonly shape: "array" | "object" | "any" };

/** A human description of a field type, for error messages. */
export function describeFieldType(t: FieldType): string {
  switch (t.kind) {
    case "number":
      return t.integer ? "an integer" : "a number";
    case "boolean":
      return "a boolean (true or false)";
    case "enum":
      return `one of ${t.values.map(String).join(", ")}`;
    case "string":
      return "a string";
    case "json":
      return t.shape === "array" ? 'a JSON array, e.g. ["a","b"]' : t.shape === "object" ? 'a JSON object, e.g. {"key":1}' : "a JSON value";
  }
}

function literalValues(schema: z.ZodType): Array<string | number | boolean> | undefined {
  const def = defOf(unwrap(schema));
  if (def.type === "literal") return (def.values ?? []).filter((v): v is string | number | boolean => ["string", "number", "boolean"].includes(typeof v));
  if (def.type === "enum") return Object.values(def.entries ?? {});
  return undefined;
}

function fieldTypeOf(schema: z.ZodType): FieldType {
  const inner = unwrap(schema);
  const def = defOf(inner);
  switch (def.type) {
    case "number": {
      const format = (inner as unknown as { format?: string | null }).format ?? "";
      return { kind: "number", integer: /int/.test(format) };
    }
    case "boolean":
      return { kind: "boolean" };
    case "enum":
    case "literal":
      return { kind: "enum", values: literalValues(inner) ?? [] };
    case "string":
      return { kind: "string" };
    case "array":
    case "tuple":
      return { kind: "json", shape: "array" };
    case "object":
    case "record":
      return { kind: "json", shape: "object" };
    case "union": {
      const lits = (def.options ?? []).map(literalValues);
      if (lits.every((l) => l !== undefined)) return { kind: "enum", values: lits.flat() as Array<string | number | boolean> };
      const kinds = new Set((def.options ?? []).map((o) => defOf(unwrap(o)).type));
      return { kind: "json", shape: [...kinds].every((k) => k === "object") ? "object" : "any" };
    }
    default:
      return { kind: "json", shape: "any" };
  }
}

/** A field path resolved against the schema and the environment being edited. */
export interface ResolvedField {
  /** Concrete keys and indices into the document (`[name]` selectors replaced by indices). */
  readonly path: ReadonlyArray<string | number>;
  /** The path as written for messages, with indices: `models[1].replicas`. */
  readonly display: string;
  /** What the field accepts. */
  readonly type: FieldType;
  /** The field's own schema, to check the parsed value; undefined for a discriminator (checked as a whole). */
  readonly schema?: z.ZodType;
  /** For a union's discriminator (`redis.mode`): the fields each of its values allows, to drop the others on a switch. */
  readonly fieldsByVariant?: ReadonlyMap<string | number | boolean, readonly string[]>;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === "object" && !Array.isArray(v);
}

/**
 * Resolves `pathText` in `root` for the environment `current` (the parsed file, used to pick union options and
 * look up `[name]` selectors). Throws EnvToolError naming the path and what the schema allows there.
 */
export function resolveField(root: z.ZodType, pathText: string, current: unknown, option = "--set"): ResolvedField {
  const segments = parseFieldPath(pathText, option);
  const concrete: Array<string | number> = [];
  let schema: z.ZodType = root;
  let value: unknown = current;
  const fail = (message: string): never => {
    throw new EnvToolError(`Invalid ${option} value`, [{ file: option, path: pathText, message }]);
  };

  for (let i = 0; i < segments.length; i++) {
    const seg = segments[i]!;
    const last = i === segments.length - 1;
    const here = formatFieldPath(concrete) || "(root)";
    let def = defOf(unwrap(schema));

    if (def.type === "union") {
      const options = (def.options ?? []).map((o) => unwrap(o));
      const disc = def.discriminator;
      if (disc && seg.kind === "key" && seg.key === disc && last) {
        concrete.push(disc);
        const fieldsByVariant = new Map<string | number | boolean, readonly string[]>();
        for (const o of options) {
          for (const v of literalValues(defOf(o).shape?.[disc] ?? o) ?? []) fieldsByVariant.set(v, Object.keys(defOf(o).shape ?? {}));
        }
        return { path: concrete, display: formatFieldPath(concrete), type: { kind: "enum", values: [...fieldsByVariant.keys()] }, fieldsByVariant };
      }
      const written = disc && isRecord(value) ? value[disc] : undefined;
      const byDisc = disc ? options.find((o) => literalValues(defOf(o).shape?.[disc] ?? o)?.includes(written as string)) : undefined;
      const byKey = seg.kind === "key" ? options.find((o) => defOf(o).shape?.[seg.key] !== undefined) : undefined;
      const chosen = byDisc ?? byKey ?? options[0];
      if (!chosen) fail(`${here} has no fields`);
      schema = chosen!;
      def = defOf(schema);
    }

    let next: z.ZodType | undefined;
    if (def.type === "object") {
      if (seg.kind !== "key") fail(`${here} is an object; expected a field name, not [${seg.kind === "index" ? seg.index : seg.name}]`);
      const key = (seg as { key: string }).key;
      const catchall = def.catchall && defOf(def.catchall).type !== "never" ? def.catchall : undefined;
      next = def.shape?.[key] ?? catchall;
      if (!next) {
        const allowed = Object.keys(def.shape ?? {});
        fail(`unknown field "${key}" at ${here}; expected one of ${allowed.join(", ")}`);
      }
      if (concrete.length === 0 && key === "name") fail("the name is set by --to, not by --set");
      concrete.push(key);
      value = isRecord(value) ? value[key] : undefined;
    } else if (def.type === "record") {
      if (seg.kind !== "key") fail(`${here} is a map; expected a key, not an index`);
      const key = (seg as { key: string }).key;
      next = def.valueType;
      concrete.push(key);
      value = isRecord(value) ? value[key] : undefined;
    } else if (def.type === "array") {
      const items = Array.isArray(value) ? value : [];
      let index: number;
      if (seg.kind === "index") index = seg.index;
      else if (seg.kind === "name") {
        index = items.findIndex((item) => isRecord(item) && item.name === seg.name);
        if (index < 0) {
          const names = items.filter(isRecord).map((item) => String(item.name));
          fail(`no element named "${seg.name}" in ${here}; expected one of ${names.join(", ") || "(none)"}`);
        }
      } else {
        fail(`${here} is a list; expected an index such as ${here}[0] or a name such as ${here}[<name>]`);
        index = -1;
      }
      if (index >= items.length) fail(`index ${index} is out of range: ${here} has ${items.length} element${items.length === 1 ? "" : "s"}`);
      next = def.element;
      concrete.push(index);
      value = items[index];
    } else {
      fail(`${here} is ${describeFieldType(fieldTypeOf(schema))}, which has no field "${seg.kind === "key" ? seg.key : seg.kind === "index" ? seg.index : seg.name}"`);
    }
    schema = next!;
  }
  return { path: concrete, display: formatFieldPath(concrete), type: fieldTypeOf(schema), schema };
}

/**
 * Parses the text of an override into the field's type and checks it against the field's own schema (minimums,
 * patterns); throws EnvToolError naming the path and the expected type.
 */
export function parseFieldValue(field: ResolvedField, text: string, option = "--set"): unknown {
  const t = field.type;
  const fail = (message: string): never => {
    throw new EnvToolError(`Invalid ${option} value`, [{ file: option, path: field.display, message }]);
  };
  const expected = describeFieldType(t);
  let value: unknown;
  switch (t.kind) {
    case "number":
      if (!/^-?\d+(\.\d+)?([eE][+-]?\d+)?$/.test(text.trim())) fail(`expected ${expected}, got "${text}"`);
      value = Number(text);
      if (t.integer && !Number.isInteger(value)) fail(`expected ${expected}, got "${text}"`);
      break;
    case "boolean":
      if (text !== "true" && text !== "false") fail(`expected ${expected}, got "${text}"`);
      value = text === "true";
      break;
    case "enum": {
      const match = t.values.find((v) => String(v) === text);
      if (match === undefined) fail(`expected ${expected}, got "${text}"`);
      value = match;
      break;
    }
    case "string":
      value = text;
      break;
    case "json":
      try {
        value = JSON.parse(text);
      } catch {
        fail(`expected ${expected}, got "${text}" (not valid JSON)`);
      }
      if (t.shape === "array" && !Array.isArray(value)) fail(`expected ${expected}, got "${text}"`);
      if (t.shape === "object" && !isRecord(value)) fail(`expected ${expected}, got "${text}"`);
      break;
  }
  if (field.schema) {
    const checked = field.schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const sub = issue.path.length > 0 ? formatFieldPath([...field.path, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))]) : field.display;
      throw new EnvToolError(`Invalid ${option} value`, [{ file: option, path: sub, message: `${issue.message}, got ${text}` }]);
    }
  }
  return value;
}
