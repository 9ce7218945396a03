/**
 * The Qdrant filter of a query: the caller's access groups (always, from the token) AND the caller's own
 * filters, which are restricted to keyword equality / any-of on the configured payload fields. Callers never
 * send raw Qdrant filters, so no `should` or nested clause can widen what the groups condition allows.
 */
import type { QdrantFilter } from "../upstreams/qdrant-store";
import { RagError } from "./errors";

type Condition = NonNullable<QdrantFilter["must"]> extends infer M ? (M extends readonly (infer C)[] ? C : M) : never;

/** Builds the filter; throws a 400 RagError naming the offending `filters.<field>`. */
export function buildFilter(groups: readonly string[], filters: unknown, allowedFields: readonly string[]): QdrantFilter {
  const must: Condition[] = [{ key: "groups", match: { any: [...new Set(groups)] } }];
  if (filters === undefined || filters === null) return { must };
  if (typeof filters !== "object" || Array.isArray(filters)) {
    throw new RagError(400, "invalid_filters", "filters must be an object mapping a field to a value or a list of values", "filters");
  }
  for (const [field, value] of Object.entries(filters as Record<string, unknown>)) {
    const param = `filters.${field}`;
    if (field !== "groups" && !allowedFields.includes(field)) {
      throw new RagError(400, "invalid_filters", `${param}: unknown filter field; allowed: ${[...allowedFields, "groups"].join(", ")}`, param);
    }
    if (typeof value === "string" || typeof value === "boolean" || (typeof value === "number" && Number.isInteger(value))) {
      if (typeof value === "string" && value.length === 0) throw new RagError(400, "invalid_filters", `${param}: must not be empty`, param);
      must.push({ key: field, match: { value } });
    } else if (Array.isArray(value)) {
      if (value.length === 0 || value.length > 100) throw new RagError(400, "invalid_filters", `${param}: expected 1-100 values`, param);
      if (!value.every((v) => typeof v === "string" && v.length > 0)) {
        throw new RagError(400, "invalid_filters", `${param}: a list must hold non-empty strings`, param);
      }
      must.push({ key: field, match: { any: [...new Set(value as string[])] } });
    } else {
      throw new RagError(400, "invalid_filters", `${param}: expected a string, integer, boolean or list of strings`, param);
    }
  }
  return { must };
}
