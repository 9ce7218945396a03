/**
 * tooDeep against a recursive reference on generated JSON: it refuses exactly the values nested deeper than the
 * limit, and the path it names leads to a container one level past it.
 */
import fc from "fast-check";
import { tooDeep } from "./json-body";

/** Containers on the deepest path (the top-level container counts 1; scalars 0). */
function depth(v: unknown): number {
  if (v === null || typeof v !== "object") return 0;
  const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
  return 1 + children.reduce((m: number, c) => Math.max(m, depth(c)), 0);
}

function at(v: unknown, path: readonly PropertyKey[]): unknown {
  return path.reduce((node: unknown, k) => (node as Record<PropertyKey, unknown>)[k], v);
}

test("refuses exactly what is deeper than the limit, naming a path to a container past it", () => {
  fc.assert(
    fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 10 }), (value, max) => {
      const path = tooDeep(value, max);
      expect(path !== undefined).toBe(depth(value) > max);
      if (path && path.length < 6) {
        // The named value is a container at depth max + 1 (the path is cut at six segments).
        expect(path).toHaveLength(max);
        const node = at(value, path);
        expect(typeof node === "object" && node !== null).toBe(true);
      }
    }),
    { numRuns: 500 },
  );
});

test("a wide body does not cost a path per value: 300,000 siblings are walked, not refused", () => {
  const wide = Array.from({ length: 300_000 }, () => [{}]);
  expect(tooDeep(wide, 3)).toBeUndefined();
  expect(tooDeep({ a: [wide] }, 4)).toEqual(["a", 0, 0, 0]);
});
