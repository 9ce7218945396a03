/**
 * The gateway's JSON body parser: Fastify's own (secure-json-parse: __proto__ and constructor poisoning refused),
 * then a nesting-depth check. JSON.parse takes any depth, but what the gateway does with a body afterwards
 * (JSON.stringify toward the upstream, the cache key's safe-stable-stringify, guardrail walks) recurses, and a few
 * thousand levels in any free-form field (extra fields, content parts, tool parameters, json_schema) overflow the
 * stack: a 500. A body nested deeper than server.maxJsonDepth is a 400 naming where it is too deep.
 */
import type { FastifyInstance } from "fastify";
import { GatewayError, formatParam } from "./errors";

/** How many leading path segments the error names (the field; the rest is the nesting itself). */
const PARAM_SEGMENTS = 6;

/**
 * The path to the first value nested deeper than `maxDepth` containers (the top-level object is depth 1), or
 * undefined when there is none. Iterative: it must not overflow on the bodies it exists to refuse.
 */
export function tooDeep(value: unknown, maxDepth: number): PropertyKey[] | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const stack: Array<{ node: object; depth: number; path: PropertyKey[] }> = [{ node: value, depth: 1, path: [] }];
  while (stack.length > 0) {
    const { node, depth, path } = stack.pop() as { node: object; depth: number; path: PropertyKey[] };
    if (depth > maxDepth) return path;
    const push = (k: PropertyKey, v: unknown): void => {
      if (v !== null && typeof v === "object") stack.push({ node: v, depth: depth + 1, path: path.length < PARAM_SEGMENTS ? [...path, k] : path });
    };
    if (Array.isArray(node)) for (let i = 0; i < node.length; i++) push(i, node[i]);
    else for (const k of Object.keys(node)) push(k, (node as Record<string, unknown>)[k]);
  }
  return undefined;
}

/** Replaces the application/json parser of `app` (and the routes registered after) with the depth-checking one. */
export function useDepthCheckedJson(app: FastifyInstance, maxDepth: number): void {
  const parse = app.getDefaultJsonParser("error", "error");
  app.removeContentTypeParser("application/json");
  app.addContentTypeParser("application/json", { parseAs: "string" }, (request, body, done) => {
    parse(request, typeof body === "string" ? body : body.toString("utf8"), (err: Error | null, value?: unknown) => {
      if (err) return done(err, undefined);
      const path = tooDeep(value, maxDepth);
      if (path) {
        const param = formatParam(path) || "body";
        return done(new GatewayError(400, "json_too_deep", `${param}: JSON nested deeper than ${maxDepth} levels (server.maxJsonDepth)`, { param }), undefined);
      }
      done(null, value);
    });
  });
}
