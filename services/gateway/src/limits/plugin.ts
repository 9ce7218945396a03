/**
 * Requests-per-minute on every authenticated route, charged right after auth (before the body is parsed), with
 * x-ratelimit-*-requests headers on the answer. Tokens-per-minute are charged by the chat service once the
 * target model (and so its tokenizer) is known.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { inSpan } from "../telemetry/tracing";
import type { RateLimits } from "./rate-limits";

async function limitsPlugin(app: FastifyInstance, opts: { limits: RateLimits }): Promise<void> {
  app.decorate("rateLimits", opts.limits);
  app.addHook("onRequest", async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    const headers = await inSpan(app.tracer, "rate_limit", request.telemetry.ctx, () => opts.limits.checkRequest(principal));
    reply.headers(headers);
  });
}

export const limits = fp(limitsPlugin, { name: "gateway-limits", fastify: "5.x", dependencies: ["gateway-auth"] });
