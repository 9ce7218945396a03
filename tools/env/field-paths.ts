/**
 * Field paths into an environment: `nodeGroups.a100.desired`, `models[1].replicas` or, by model name,
 * `models[mistral-7b].replicas` (the form `env diff` prints, so a diff line can be fed back to `--set`).
 */
import { EnvToolError } from "./errors";

/** One step of a path: an object key, an array index, or the array element whose `name` equals. */
export type PathSegment =
  | { readonly kind: "key"; readonly key: string }
  | { readonly kind: "index"; readonly index: number }
  | { readonly kind: "name"; readonly name: string };

const TOKEN = /^(?:\.?([A-Za-z0-9_-]+)|\[([^\][]+)\])/;

/** Parses a path; throws EnvToolError for a malformed one. */
export function parseFieldPath(path: string, option = "--set"): PathSegment[] {
  const segments: PathSegment[] = [];
  let rest = path;
  if (rest === "" || rest.startsWith(".")) throw new EnvToolError(`Malformed field path "${path}" in ${option}: expected e.g. nodeGroups.a100.desired or models[0].replicas`);
  while (rest.length > 0) {
    const m = TOKEN.exec(rest);
    if (!m) throw new EnvToolError(`Malformed field path "${path}" in ${option}: expected e.g. nodeGroups.a100.desired or models[0].replicas`);
    if (m[1] !== undefined) segments.push({ kind: "key", key: m[1] });
    else if (/^\d+$/.test(m[2]!)) segments.push({ kind: "index", index: Number(m[2]) });
    else segments.push({ kind: "name", name: m[2]! });
    rest = rest.slice(m[0].length);
  }
  return segments;
}

/** Formats concrete keys and indices back to a path string: `models[1].replicas`. */
export function formatFieldPath(path: ReadonlyArray<string | number>): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? p : `.${p}`)).join("");
}
