/**
 * Operational endpoints (no auth): GET /healthz (the process is up), GET /readyz (Redis answers and every model
 * has a replica whose circuit is not open; 503 "draining" once SIGTERM came, see server.shutdownDelayMs) and
 * GET /metrics (Prometheus text format).
 */
import type { FastifyInstance } from "fastify";

const READY_TIMEOUT_MS = 1_000;

export async function operationsRoutes(app: FastifyInstance): Promise<void> {
  app.get("/healthz", { config: { routeId: "healthz" } }, async () => ({ status: "ok" }));

  app.get("/readyz", { config: { routeId: "readyz" } }, async (_request, reply) => {
    const checks: Record<string, string> = {};
    try {
      const pong = await Promise.race([
        app.redis.ping(),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), READY_TIMEOUT_MS).unref()),
      ]);
      checks.redis = pong === "PONG" ? "ok" : "unexpected answer";
    } catch (e) {
      checks.redis = `unreachable (${(e as Error).message.slice(0, 80)})`;
    }
    for (const [name, d] of app.modelRouter.deployments) checks[`model:${name}`] = d.healthy ? "ok" : "no healthy upstream";
    if (app.lifecycle.draining) return reply.code(503).send({ status: "draining", checks });
    const ready = Object.values(checks).every((v) => v === "ok");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "not_ready", checks });
  });

  app.get("/metrics", { config: { routeId: "metrics" } }, async (_request, reply) => {
    const text = await app.metricsRegistry.metrics();
    return reply.header("content-type", app.metricsRegistry.contentType).send(text);
  });
}
