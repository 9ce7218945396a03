/**
 * Operational endpoints (no auth): GET /healthz (the process is up), GET /readyz (Redis answers and every model
 * has a replica whose circuit is not open; 503 "draining" once SIGTERM came, see server.shutdownDelayMs) and
 * GET /metrics (Prometheus text format).
 *
 * /readyz takes `exclude` as kube-apiserver's /readyz does (`?exclude=redis&exclude=models`): the excluded checks
 * neither run nor decide the status. The chart's readiness probe excludes the shared dependencies (every model,
 * and Redis when limits fail open): they fail for every replica at once, so a probe on them would take every pod
 * out of the Service together and turn "one model down" or "limits unenforced" into a full outage
 * (docs/decisions/0068-readiness-probe-scope.md). Draining is never excluded.
 */
import type { FastifyInstance } from "fastify";
import { GatewayError } from "../errors";

const READY_TIMEOUT_MS = 1_000;

/**
 * The checks `exclude` names: "redis", "models" (every model) or "model:<name>". Throws a 400 naming the value
 * otherwise, so that a misspelt probe fails loudly instead of silently checking everything.
 */
export function parseReadyExclusions(query: unknown, models: ReadonlySet<string>): ReadonlySet<string> {
  const raw = (query as { exclude?: unknown } | undefined)?.exclude;
  const values = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
  const excluded = new Set<string>();
  for (const v of values) {
    const known = v === "redis" || v === "models" || (typeof v === "string" && v.startsWith("model:") && models.has(v.slice("model:".length)));
    if (!known) {
      throw new GatewayError(400, "invalid_exclude", `exclude: unknown readiness check ${JSON.stringify(v)}; expected "redis", "models" or "model:<name>" with one of: ${[...models].join(", ")}`, { param: "exclude" });
    }
    excluded.add(v as string);
  }
  return excluded;
}

async function redisCheck(app: FastifyInstance): Promise<string> {
  try {
    const pong = await Promise.race([
      app.redis.ping(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS).unref()),
    ]);
    return pong === "PONG" ? "ok" : "unexpected answer";
  } catch (e) {
    return `unreachable (${(e as Error).message.slice(0, 80)})`;
  }
}

export async function operationsRoutes(app: FastifyInstance): Promise<void> {
  app.get("/healthz", { config: { routeId: "healthz" } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { routeId: "readyz" } }, async (request, reply) => {
    const excluded = parseReadyExclusions(request.query, new Set(app.modelRouter.deployments.keys()));
    const checks: Record<string, string> = {};
    if (!excluded.has("redis")) checks.redis = await redisCheck(app);
    for (const [name, d] of app.modelRouter.deployments) {
      if (excluded.has("models") || excluded.has(`model:${name}`)) continue;
      checks[`model:${name}`] = d.healthy ? "ok" : "no healthy upstream";
    }
    if (app.lifecycle.draining) return reply.code(503).send({ status: "draining", checks });
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/metrics", { config: { routeId: "metrics" } }, async (_request, reply) => {
    const text = await app.metricsRegistry.metrics();
    return reply.header("content-type", app.metricsRegistry.contentType).send(text);
  });
}
