/**
 * JSON output validation: when the request's response_format is json_object or json_schema, the whole answer
 * must parse as JSON (an object for json_object), and match the given schema (ajv 2020-12 with formats).
 * Compiled schemas are cached by their text (bounded). Streaming windows are skipped: only whole answers count.
 */
import Ajv2020, { type ValidateFunction } from "ajv/dist/2020";
import addFormats from "ajv-formats";
import type { Detector, Verdict } from "../types";

const ajv = new Ajv2020({ strict: false, allErrors: false });
addFormats(ajv);
const compiled = new Map<string, ValidateFunction | Error>();
const MAX_CACHED = 256;

function validatorFor(schema: unknown): ValidateFunction | Error {
  const key = JSON.stringify(schema);
  let v = compiled.get(key);
  if (!v) {
    try {
      v = ajv.compile(schema as object);
    } catch (err) {
      v = err as Error;
    }
    if (compiled.size >= MAX_CACHED) compiled.delete(compiled.keys().next().value as string);
    compiled.set(key, v);
  }
  return v;
}

const fail = (type: string, explanation: string, message: string): Verdict => ({
  action: "block",
  findings: [{ guard: "json", type, score: 1 }],
  explanation,
  block: { code: "invalid_json_output", message },
});

export const jsonDetector: Detector = {
  id: "json",
  run({ text, output, complete }): Verdict {
    const format = output?.responseFormat;
    if (!complete || !format || (format.type !== "json_object" && format.type !== "json_schema")) return { action: "allow", findings: [], explanation: "no JSON format requested" };
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return fail("invalid_json", "answer is not valid JSON", "The model's answer was not valid JSON as response_format requires.");
    }
    if (format.type === "json_object" && (typeof value !== "object" || value === null || Array.isArray(value))) {
      return fail("invalid_json", "answer is JSON but not an object", "The model's answer was not a JSON object as response_format requires.");
    }
    const schema = format.json_schema?.schema;
    if (format.type === "json_schema" && schema !== undefined) {
      const v = validatorFor(schema);
      if (v instanceof Error) return fail("invalid_schema", `json_schema could not be compiled: ${v.message}`, "The response_format json_schema is not a valid JSON Schema.");
      if (!v(value)) {
        const where = v.errors?.[0] ? `${v.errors[0].instancePath || "(root)"} ${v.errors[0].message ?? ""}` : "";
        return fail("schema_mismatch", `answer does not match json_schema: ${where}`, `The model's answer did not match the requested JSON schema (${where.trim()}).`);
      }
    }
    return { action: "allow", findings: [], explanation: "valid JSON" };
  },
};
