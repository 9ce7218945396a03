/**
 * Validates HTTP requests (and our stand-ins' responses) against the official OpenAPI documents, read from
 * $SHARED_DIR/specs or ../shared/specs beside the repository (specs-location.js; the repository carries no copy),
 * so the gateway's clients cannot drift from the real protocols of vLLM (OpenAI API), text-embeddings-inference
 * and Qdrant.
 *
 * Hand-rolled on ajv rather than a full OpenAPI framework: we only need "find the operation for this method and
 * path, validate the JSON body (and response) against its schema", and the OpenAI document is OpenAPI 3.1
 * (JSON Schema 2020-12) while TEI and Qdrant are 3.0 (nullable, int formats), which few libraries handle both of.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import Ajv, { type ValidateFunction, type ErrorObject } from "ajv";
import Ajv2020 from "ajv/dist/2020";
import { findSpecsDir, notFoundMessage } from "./specs-location";

export type SpecName = "openai" | "qdrant" | "text-embeddings-inference";

/**
 * The folder holding the documents: $SHARED_DIR/specs, else ../shared/specs beside the repository. Throws, naming
 * both, when neither exists (jest.config.js then leaves out the suites that need them, with one line saying so).
 */
export function specsDir(): string {
  const dir = findSpecsDir();
  if (!dir) throw new Error(notFoundMessage());
  return dir;
}

interface Operation {
  readonly method: string;
  readonly template: string;
  readonly regex: RegExp;
  readonly requestSchema?: unknown;
  readonly responses: Record<string, unknown>;
}

type JsonObject = Record<string, unknown>;

const numericFormats: Record<string, (n: number) => boolean> = {
  int32: (n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31,
  int64: (n) => Number.isInteger(n),
  uint: (n) => Number.isInteger(n) && n >= 0,
  uint8: (n) => Number.isInteger(n) && n >= 0 && n < 256,
  uint16: (n) => Number.isInteger(n) && n >= 0 && n < 65536,
  uint32: (n) => Number.isInteger(n) && n >= 0 && n < 2 ** 32,
  uint64: (n) => Number.isInteger(n) && n >= 0,
  usize: (n) => Number.isInteger(n) && n >= 0,
  float: (n) => Number.isFinite(n),
  double: (n) => Number.isFinite(n),
};

/** A validation failure, with ajv's errors rendered as "path: message" lines. */
export class SpecViolation extends Error {
  constructor(
    readonly spec: SpecName,
    readonly where: string,
    readonly errors: readonly ErrorObject[],
  ) {
    super(
      `${spec} spec violation at ${where}: ` +
        errors
          .slice(0, 8)
          .map((e) => `${e.instancePath || "(body)"} ${e.message ?? ""}${e.params ? " " + JSON.stringify(e.params) : ""}`)
          .join("; "),
    );
    this.name = "SpecViolation";
  }
}

/** One loaded OpenAPI document. */
export class OpenApiValidator {
  private readonly ajv: Ajv;
  private readonly operations: Operation[] = [];
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly basePath: string;

  private constructor(
    readonly spec: SpecName,
    original: JsonObject,
  ) {
    const doc = normalizeNullable(original) as JsonObject;
    const is31 = String(doc.openapi).startsWith("3.1");
    const options = { strict: false, allErrors: true, validateFormats: true, discriminator: false, logger: false as const };
    this.ajv = is31 ? new Ajv2020(options) : new Ajv(options);
    for (const [name, check] of Object.entries(numericFormats)) this.ajv.addFormat(name, { type: "number", validate: check });
    // String formats the documents use; we check the structure, not the exact text of these.
    for (const name of ["date-time", "uri", "binary", "byte", "uuid", "email", "password", "date"]) this.ajv.addFormat(name, true);
    this.ajv.addSchema({ ...doc, $id: "spec" });
    // The OpenAI document lists servers as https://api.openai.com/v1; vLLM serves the same paths under /v1.
    // Qdrant's server URL is a template ({protocol}://{hostname}:{port}) with no path.
    const serverUrl = (doc.servers as Array<{ url: string }> | undefined)?.[0]?.url ?? "";
    const match = /^[a-z{}]+:\/\/[^/]+(\/.*)?$/.exec(serverUrl);
    this.basePath = (match?.[1] ?? "").replace(/\/$/, "");
    for (const [template, item] of Object.entries(doc.paths as Record<string, JsonObject>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!["get", "post", "put", "patch", "delete"].includes(method)) continue;
        const operation = op as JsonObject;
        const body = (operation.requestBody as JsonObject | undefined)?.content as Record<string, { schema?: unknown }> | undefined;
        const pattern = (this.basePath + template)
          .split("/")
          .map((seg) => (/^\{[^}]+\}$/.test(seg) ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
          .join("/");
        const regex = new RegExp(`^${pattern}$`);
        this.operations.push({
          method: method.toUpperCase(),
          template,
          regex,
          requestSchema: body?.["application/json"]?.schema,
          responses: (operation.responses as Record<string, unknown>) ?? {},
        });
      }
    }
  }

  private static cache = new Map<SpecName, OpenApiValidator>();

  /** Loads (once per process) the named document from the shared specs. */
  static load(spec: SpecName): OpenApiValidator {
    let v = this.cache.get(spec);
    if (!v) {
      const doc = JSON.parse(readFileSync(resolve(specsDir(), spec, "openapi.json"), "utf8")) as JsonObject;
      v = new OpenApiValidator(spec, doc);
      this.cache.set(spec, v);
    }
    return v;
  }

  /** The operation for a method and URL path; throws when the spec has no such operation. */
  operation(method: string, path: string): Operation {
    const clean = path.split("?")[0] ?? path;
    // Prefer literal templates over parameterised ones (e.g. /points/delete before /points/{id}).
    const candidates = this.operations.filter((o) => o.method === method.toUpperCase() && o.regex.test(clean));
    candidates.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    const op = candidates[0];
    if (!op) throw new Error(`${this.spec} spec has no operation ${method.toUpperCase()} ${clean}`);
    return op;
  }

  private validator(key: string, schema: unknown): ValidateFunction {
    let fn = this.compiled.get(key);
    if (!fn) {
      fn = this.ajv.compile(rewriteRefs(schema) as JsonObject);
      this.compiled.set(key, fn);
    }
    return fn;
  }

  /** Throws SpecViolation unless the JSON body is valid for the operation's request schema. */
  validateRequest(method: string, path: string, body: unknown): void {
    const op = this.operation(method, path);
    if (op.requestSchema === undefined) return;
    const fn = this.validator(`req ${op.method} ${op.template}`, op.requestSchema);
    if (!fn(body)) throw new SpecViolation(this.spec, `request ${op.method} ${op.template}`, fn.errors ?? []);
  }

  /** Throws SpecViolation unless the JSON body is valid for the operation's response schema of this status. */
  validateResponse(method: string, path: string, status: number, body: unknown): void {
    const op = this.operation(method, path);
    const response = (op.responses[String(status)] ?? op.responses.default) as JsonObject | undefined;
    const schema = (response?.content as Record<string, { schema?: unknown }> | undefined)?.["application/json"]?.schema;
    if (schema === undefined) return;
    const fn = this.validator(`res ${status} ${op.method} ${op.template}`, schema);
    if (!fn(body)) throw new SpecViolation(this.spec, `response ${status} ${op.method} ${op.template}`, fn.errors ?? []);
  }

  /** Validates a component schema by name (e.g. a streamed CreateChatCompletionStreamResponse chunk). */
  validateComponent(name: string, value: unknown): void {
    const fn = this.validator(`component ${name}`, { $ref: `#/components/schemas/${name}` });
    if (!fn(value)) throw new SpecViolation(this.spec, `component ${name}`, fn.errors ?? []);
  }
}

/**
 * OpenAPI 3.0's `nullable: true` (also left in parts of the 3.1 OpenAI document) becomes a JSON Schema
 * "or null", which both ajv dialects understand whether or not the schema states a type.
 */
function normalizeNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(normalizeNullable);
  if (node && typeof node === "object") {
    const { nullable, ...rest } = node as JsonObject;
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(rest)) out[k] = normalizeNullable(v);
    return nullable === true ? { anyOf: [out, { type: "null" }] } : out;
  }
  return node;
}

/** Points local "#/components/..." refs at the registered document ("spec#/components/..."). */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node && typeof node === "object") {
    const out: JsonObject = {};
    for (const [k, v] of Object.entries(node as JsonObject)) {
      out[k] = k === "$ref" && typeof v === "string" && v.startsWith("#/") ? `spec${v}` : rewriteRefs(v);
    }
    return out;
  }
  return node;
}
