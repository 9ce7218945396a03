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

/** A container being walked: its keys (none for an array) and the index of the next child. */
interface Frame {
  readonly node: object;
  readonly keys: string[] | undefined;
  next: number;
}

const frame = (node: object): Frame => ({ node, keys: Array.isArray(node) ? undefined : Object.keys(node), next: 0 });

/**
 * The path to the first value nested deeper than `maxDepth` containers (the top-level object is depth 1), or
 * undefined when there is none. Iterative (it must not overflow on the bodies it exists to refuse), depth-first
 * with one frame per open container: the stack is the current path, so wide bodies cost no path copies.
 */
export function tooDeep(value: unknown, maxDepth: number): PropertyKey[] | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const stack: Frame[] = [frame(value)];
  while (stack.length > 0) {
    const top = stack[stack.length - 1] as Frame;
    const size = top.keys ? top.keys.length : (top.node as unknown[]).length;
    if (top.next >= size) {
      stack.pop();
      continue;
    }
    const key: string | number = top.keys ? (top.keys[top.next] as string) : top.next;
    top.next++;
    const child: unknown = (top.node as Record<string | number, unknown>)[key];
    if (child === null || typeof child !== "object") continue;
    if (stack.length >= maxDepth) {
      return stack.slice(0, PARAM_SEGMENTS).map((f) => (f.keys ? (f.keys[f.next - 1] as string) : f.next - 1));
    }
    stack.push(frame(child));
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
