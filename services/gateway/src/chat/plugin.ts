/**
 * The domain services as named plugins: model routing (deployments and replicas), the response cache, and the
 * chat pipeline, decorated on the instance as `modelRouter`, `responseCache` and `chat`. Other routes (e.g. the
 * RAG query route) depend on "gateway-chat" and call `app.chat.complete(...)` / `app.chat.stream(...)`.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import type { Guardrails, RagAugmenter } from "../contracts";
import { ResponseCache } from "../cache/response-cache";
import { ModelRouter } from "../routing/model-router";
import type { Deployment } from "../routing/deployments";
import { ChatService } from "./chat-service";

const POOL_CLOSE_GRACE_MS = 1_000;

async function routingPlugin(app: FastifyInstance, opts: { deployments: Map<string, Deployment> }): Promise<void> {
  app.decorate("modelRouter", new ModelRouter(app.config, opts.deployments, app.metrics));
  // By the time onClose runs, the HTTP server has drained its requests; upstream calls still open belong to
  // nobody, so pools get a short grace to finish and are then destroyed.
  app.addHook("onClose", async () => {
    const clients = [...opts.deployments.values()].flatMap((d) => d.replicas.map((r) => r.client));
    const closed = Promise.all(clients.map((c) => c.close()));
    const timer = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), POOL_CLOSE_GRACE_MS).unref());
    if ((await Promise.race([closed, timer])) === "timeout") await Promise.all(clients.map((c) => c.destroy()));
  });
}
export const routing = fp(routingPlugin, { name: "gateway-routing", fastify: "5.x", dependencies: ["gateway-telemetry"] });

async function cachePlugin(app: FastifyInstance): Promise<void> {
  const responseCache = new ResponseCache(app.redis, app.config.cache, app.config.redis.keyPrefix);
  app.decorate("responseCache", responseCache);
  // Answers waiting for the batched write go out before the Redis client is closed.
  app.addHook("onClose", async () => responseCache.flush().catch((e: unknown) => app.log.warn({ err: { message: (e as Error).message } }, "response cache store failed")));
}
export const cache = fp(cachePlugin, { name: "gateway-cache", fastify: "5.x" });

async function chatPlugin(app: FastifyInstance, opts: { guardrails?: Guardrails; rag?: RagAugmenter }): Promise<void> {
  app.decorate(
    "chat",
    new ChatService({
      config: app.config,
      router: app.modelRouter,
      limits: app.rateLimits,
      cache: app.responseCache,
      metrics: app.metrics,
      tracer: app.tracer,
      log: app.log,
      ...(opts.guardrails ? { guardrails: opts.guardrails } : {}),
      ...(opts.rag ? { rag: opts.rag } : {}),
    }),
  );
}
export const chat = fp(chatPlugin, { name: "gateway-chat", fastify: "5.x", dependencies: ["gateway-routing", "gateway-cache", "gateway-limits"] });
