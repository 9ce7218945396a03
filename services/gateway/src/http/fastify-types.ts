/**
 * Declaration merging: what the gateway's plugins add to Fastify's request, route config and instance.
 */
import type { Context, Span } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { Redis } from "ioredis";
import type { RouteScope, GatewayConfig } from "../config/schema";
import type { Principal } from "../contracts";
import type { GatewayMetrics } from "../telemetry/metrics";
import type { LimitHeaders, RateLimits } from "../limits/rate-limits";
import type { ModelRouter } from "../routing/model-router";
import type { ResponseCache } from "../cache/response-cache";
import type { ChatService } from "../chat/chat-service";
import type { Tracer } from "@opentelemetry/api";

/** Per-request telemetry state. */
export interface RequestTelemetry {
  /** performance.now() at onRequest. */
  readonly startedAt: number;
  /** The request's span and its context (parent of the stage spans). */
  readonly span: Span;
  readonly ctx: Context;
  /** Time spent waiting on upstreams, in ms (the overhead is the rest). */
  upstreamMs: number;
  /** Model label for metrics, set by routes. */
  model: string;
}

/** The process's shutdown state (src/server.ts sets it; GET /readyz reads it). */
export interface Lifecycle {
  /** SIGTERM received: still serving, but no longer ready. */
  draining: boolean;
}

declare module "fastify" {
  interface FastifyContextConfig {
    /** Scope the caller needs; routes without one are public (health, metrics). */
    scope?: RouteScope;
    /** Stable route id for metrics and guardrail context, e.g. "chat.completions". */
    routeId?: string;
    /**
     * The route charges the caller's requests-per-minute itself, together with its other Redis commands
     * (request.requestCharge), instead of the limits plugin doing it before the body is read.
     */
    deferRequestCharge?: boolean;
  }
  interface FastifyRequest {
    principal: Principal | undefined;
    telemetry: RequestTelemetry;
    /** Charges this request to the caller's requests-per-minute (once; later calls return the same promise). Set for authenticated requests. */
    requestCharge: (() => Promise<LimitHeaders>) | undefined;
    /**
     * Charges this request together with `tokens` prompt tokens (one Redis command; the answer has both kinds'
     * headers), or answers undefined when the request was charged already. Set for authenticated requests.
     */
    requestChargeWithTokens: ((tokens: number) => Promise<LimitHeaders> | undefined) | undefined;
  }
  interface FastifyInstance {
    config: GatewayConfig;
    redis: Redis;
    metrics: GatewayMetrics;
    metricsRegistry: Registry;
    tracer: Tracer;
    rateLimits: RateLimits;
    modelRouter: ModelRouter;
    responseCache: ResponseCache;
    chat: ChatService;
    lifecycle: Lifecycle;
  }
}
