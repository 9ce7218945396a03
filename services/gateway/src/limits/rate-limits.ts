/**
 * Rate limits per principal and per tenant, requests and tokens per minute, with the tier's numbers from config.
 * rate-limiter-flexible's RateLimiterRedis keeps the counters in Redis (one atomic script per check), so the
 * limits hold across gateway replicas. Prompt tokens are charged before the call and corrected with the
 * upstream's actual usage afterwards (penalty or reward). When Redis is unreachable, `failureMode` decides:
 * fail-open (allow, count llm_gateway_rate_limit_store_errors_total, log) or fail-closed (503).
 */
import type { Redis } from "ioredis";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import type { FastifyBaseLogger } from "fastify";
import type { GatewayConfig } from "../config/schema";
import type { Principal } from "../contracts";
import { GatewayError } from "../http/errors";
import { BatchTimer } from "../batch-timer";
import { writeTogether } from "../redis-client";
import type { GatewayMetrics } from "../telemetry/metrics";

type Scope = "principal" | "tenant";
type Kind = "requests" | "tokens";

/** Headers describing the caller's remaining budget (OpenAI's x-ratelimit-* names). */
export type LimitHeaders = Record<string, string>;

const DURATION_S = 60;

function resetText(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

const SCOPES = ["principal", "tenant"] as const;

/** Header names per counter kind (built once, not per request). */
const HEADER_NAMES = {
  requests: { limit: "x-ratelimit-limit-requests", remaining: "x-ratelimit-remaining-requests", reset: "x-ratelimit-reset-requests" },
  tokens: { limit: "x-ratelimit-limit-tokens", remaining: "x-ratelimit-remaining-tokens", reset: "x-ratelimit-reset-tokens" },
} as const;

/** A tier's limiters: [principal, tenant] per kind. */
type TierLimiters = Record<Kind, readonly [RateLimiterRedis, RateLimiterRedis]>;

export class RateLimits {
  /** Limiters by tier, made on first use (looked up once per check by the tier name, no key building). */
  private readonly tiers = new Map<string, TierLimiters>();
  /** Runs `issue` with its Redis commands written together (src/redis-client.ts). */
  readonly writeTogether = <T>(issue: () => T): T => writeTogether(this.redis, issue);
  /** Pending usage corrections by tier, scope and counter key. */
  private readonly corrections = new Map<string, { limiter: RateLimiterRedis; key: string; delta: number }>();
  private readonly batch: BatchTimer;

  constructor(
    private readonly redis: Redis,
    private readonly cfg: GatewayConfig["limits"],
    private readonly keyPrefix: string,
    private readonly metrics: GatewayMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    this.batch = new BatchTimer(cfg.usageCorrectionBatchMs, () => this.sendCorrections());
  }

  private tierLimiters(tier: string): TierLimiters | undefined {
    let l = this.tiers.get(tier);
    if (l) return l;
    const t = this.cfg.tiers[tier];
    if (!t) return undefined;
    const make = (scope: Scope, kind: Kind): RateLimiterRedis =>
      new RateLimiterRedis({
        storeClient: this.redis,
        points: kind === "requests" ? t[scope].rpm : t[scope].tpm,
        duration: DURATION_S,
        // The counter key does not include the tier: a caller moved between tiers keeps its count.
        keyPrefix: `${this.keyPrefix}rl:${scope}:${kind}`,
        rejectIfRedisNotReady: true,
      });
    l = { requests: [make("principal", "requests"), make("tenant", "requests")], tokens: [make("principal", "tokens"), make("tenant", "tokens")] };
    this.tiers.set(tier, l);
    return l;
  }

  private static key(principal: Principal, scope: Scope): string {
    return scope === "principal" ? `${principal.tenant}:${principal.subject}` : principal.tenant;
  }

  /** Charges one request to the principal and its tenant; throws 429 (or 503 fail-closed). */
  checkRequest(principal: Principal): Promise<LimitHeaders> {
    return this.consume(principal, "requests", 1);
  }

  /** Charges `tokens` prompt tokens before the call; throws 429 when the budget is spent. */
  consumeTokens(principal: Principal, tokens: number): Promise<LimitHeaders> {
    return this.consume(principal, "tokens", Math.max(1, Math.ceil(tokens)));
  }

  /**
   * After the call: charges (delta > 0) or refunds (delta < 0) the difference with actual usage. Never throws.
   * Corrections are summed per counter and flushed every `usageCorrectionBatchMs` (one pipelined write for all of
   * them), so a busy principal costs two Redis commands per batch rather than two per request; the counters lag
   * actual usage by at most that long. The promise settles when this correction has been sent.
   */
  adjustTokens(principal: Principal, delta: number): Promise<void> {
    if (delta === 0 || !Number.isFinite(delta)) return Promise.resolve();
    const tokens = this.tierLimiters(principal.tier)?.tokens;
    if (!tokens) return Promise.resolve();
    for (let s = 0; s < 2; s++) {
      const scope = SCOPES[s] as Scope;
      const limiter = tokens[s] as RateLimiterRedis;
      const key = RateLimits.key(principal, scope);
      const id = `${principal.tier}\u0000${scope}\u0000${key}`;
      const entry = this.corrections.get(id);
      if (entry) entry.delta += delta;
      else this.corrections.set(id, { limiter, key, delta });
    }
    return this.batch.next();
  }

  /** Sends every pending usage correction now (also on shutdown). Never throws. */
  flush(): Promise<void> {
    return this.batch.now();
  }

  private async sendCorrections(): Promise<void> {
    const batch = [...this.corrections.values()];
    this.corrections.clear();
    const sent = writeTogether(this.redis, () => batch.map(({ limiter, key, delta }) => {
      // Whole tokens: a charge rounds up, a refund rounds down (never refund more than was charged).
      const points = delta > 0 ? Math.ceil(delta) : Math.floor(-delta);
      if (points === 0) return Promise.resolve();
      return delta > 0 ? limiter.penalty(key, points) : limiter.reward(key, points);
    }));
    const failed = (await Promise.allSettled(sent)).find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) this.log.warn({ err: { message: (failed.reason as Error).message }, corrections: batch.length }, "rate limit usage correction failed");
  }

  private async consume(principal: Principal, kind: Kind, points: number): Promise<LimitHeaders> {
    const limiters = this.tierLimiters(principal.tier)?.[kind];
    if (!limiters) {
      throw new GatewayError(403, "unknown_tier", `rate-limit tier "${principal.tier}" is not configured`);
    }
    const [p, t] = limiters;
    const results = await Promise.allSettled(writeTogether(this.redis, () => [p.consume(RateLimits.key(principal, "principal"), points), t.consume(RateLimits.key(principal, "tenant"), points)]));
    const names = HEADER_NAMES[kind];
    let headers: LimitHeaders = {};
    let tightest: { res: RateLimiterRes; limit: number } | undefined;
    let storeError: unknown;
    for (let i = 0; i < results.length; i++) {
      const r = results[i] as PromiseSettledResult<RateLimiterRes>;
      const limit = (limiters[i] as RateLimiterRedis).points;
      const scope = SCOPES[i] as Scope;
      if (r.status === "fulfilled") {
        if (!tightest || r.value.remainingPoints < tightest.res.remainingPoints) tightest = { res: r.value, limit };
        continue;
      }
      if (r.reason instanceof RateLimiterRes) {
        this.metrics.rateLimitRejections.inc({ scope, kind });
        const retryS = Math.max(1, Math.ceil(r.reason.msBeforeNext / 1000));
        throw new GatewayError(429, kind === "requests" ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded", `Rate limit reached for ${scope} ${kind} per minute (limit ${limit}); retry after ${retryS}s`, {
          headers: {
            "retry-after": String(retryS),
            [names.limit]: String(limit),
            [names.remaining]: "0",
            [names.reset]: resetText(r.reason.msBeforeNext),
          },
        });
      }
      storeError = r.reason;
    }
    if (storeError !== undefined) {
      const mode = this.cfg.failureMode;
      this.metrics.rateLimitStoreErrors.inc({ mode });
      this.log.warn({ mode, err: { message: (storeError as Error).message } }, "rate limit store unreachable");
      if (mode === "fail-closed") throw new GatewayError(503, "rate_limit_unavailable", "rate limiting is temporarily unavailable; try again shortly", { headers: { "retry-after": "1" } });
      return headers;
    }
    if (tightest) {
      headers = {
        [names.limit]: String(tightest.limit),
        [names.remaining]: String(Math.max(0, tightest.res.remainingPoints)),
        [names.reset]: resetText(tightest.res.msBeforeNext),
      };
    }
    return headers;
  }
}
