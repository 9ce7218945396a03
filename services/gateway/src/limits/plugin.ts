/**
 * Requests-per-minute on every authenticated route, with x-ratelimit-*-requests headers on the answer.
 *
 * The charge is a Redis round trip. Routes that send Redis commands anyway once the body is parsed (chat
 * completions: the TPM charge and the cache lookup) set `config.deferRequestCharge` and make the charge with them,
 * in one pipelined write and one round trip (request.requestCharge, called by the chat service); everywhere else it
 * is made here, right after auth and before the body is read. Tokens-per-minute are charged by the chat service
 * once the target model (and so its tokenizer) is known.
 *
 * Either way a caller over its limit gets the 429, whatever else is wrong with the request: an error raised before
 * a deferred charge (bad JSON, a failed validation, a body too large, an unknown model) makes the charge in the
 * error handler and gives way to its 429 (src/http/error-handler.ts). See docs/decisions/0039-redis-round-trips.md.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import { inSpan } from "../telemetry/tracing";
import type { LimitHeaders, RateLimits } from "./rate-limits";

async function limitsPlugin(app: FastifyInstance, opts: { limits: RateLimits }): Promise<void> {
  app.decorate("rateLimits", opts.limits);
  app.decorateRequest("requestCharge", undefined);
  app.decorateRequest("requestChargeWithTokens", undefined);
  // Pending usage corrections go out before the Redis client is closed.
  app.addHook("onClose", async () => opts.limits.flush());
  app.addHook("onRequest", async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    let charge: Promise<LimitHeaders> | undefined;
    const start = (tokens: number): Promise<LimitHeaders> => {
      const c = opts.limits.charge(principal, 1, tokens);
      // Whoever started it awaits it; this only keeps a rejection nobody awaits yet from being "unhandled".
      c.catch(() => undefined);
      return c;
    };
    // Charged at most once per request, whoever asks first (the chat service, the error handler or this hook).
    request.requestCharge = () => (charge ??= start(0));
    // The chat service's ask: the request and its prompt tokens in one command, unless the request was charged.
    request.requestChargeWithTokens = (tokens) => (charge ? undefined : (charge = start(tokens)));
    if (request.routeOptions.config?.deferRequestCharge) return;
    const headers = await inSpan(app.tracer, "rate_limit", request.telemetry.ctx, () => (request.requestCharge as () => Promise<LimitHeaders>)());
    reply.headers(headers);
  });
}

export const limits = fp(limitsPlugin, { name: "gateway-limits", fastify: "5.x", dependencies: ["gateway-auth"] });
