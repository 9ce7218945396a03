/**
 * Rate limits per principal and per tenant, requests and tokens per minute, with the tier's numbers from config.
 * The counters are fixed one-minute windows in Redis, so the limits hold across gateway replicas; every charge of a
 * request (its requests and, on chat completions, its prompt tokens, for principal and tenant) is one atomic script
 * call (./counter-script.ts, docs/decisions/0104-one-rate-limit-script.md). Prompt tokens are charged before the call
 * and corrected with the upstream's actual usage afterwards. When Redis is unreachable, `failureMode` decides:
 * fail-open (allow, count llm_gateway_rate_limit_store_errors_total, log) or fail-closed (503).
 */
import type { Redis } from "ioredis";
import type { FastifyBaseLogger } from "fastify";
import type { GatewayConfig } from "../config/schema";
import type { Principal } from "../contracts";
import { GatewayError } from "../http/errors";
import { BatchTimer } from "../batch-timer";
import { writeTogether } from "../redis-client";
import type { GatewayMetrics } from "../telemetry/metrics";
import { addToCounters, defineCounterScript, type CounterState } from "./counter-script";

type Scope = "principal" | "tenant";
type Kind = "requests" | "tokens";

/** Headers describing the caller's remaining budget (OpenAI's x-ratelimit-* names). */
export type LimitHeaders = Record<string, string>;

const WINDOW_S = 60;

function resetText(ms: number): string {
  return `${Math.max(0, Math.ceil(ms / 1000))}s`;
}

const SCOPES = ["principal", "tenant"] as const;

/** Header names per counter kind (built once, not per request). */
const HEADER_NAMES = {
  requests: { limit: "x-ratelimit-limit-requests", remaining: "x-ratelimit-remaining-requests", reset: "x-ratelimit-reset-requests" },
  tokens: { limit: "x-ratelimit-limit-tokens", remaining: "x-ratelimit-remaining-tokens", reset: "x-ratelimit-reset-tokens" },
} as const;

/** One counter a call charges: its kind, scope, key and the tier's limit for it. */
interface Counter {
  readonly kind: Kind;
  readonly scope: Scope;
  readonly key: string;
  readonly limit: number;
}

export class RateLimits {
  /** Runs `issue` with its Redis commands written together (src/redis-client.ts). */
  readonly writeTogether = <T>(issue: () => T): T => writeTogether(this.redis, issue);
  /** Pending usage corrections by counter key. */
  private readonly corrections = new Map<string, number>();
  private readonly batch: BatchTimer;

  constructor(
    private readonly redis: Redis,
    private readonly cfg: GatewayConfig["limits"],
    private readonly keyPrefix: string,
    private readonly metrics: GatewayMetrics,
    private readonly log: FastifyBaseLogger,
  ) {
    defineCounterScript(redis);
    this.batch = new BatchTimer(cfg.usageCorrectionBatchMs, () => this.sendCorrections());
  }

  /**
   * The counter's Redis key: the layout rate-limiter-flexible used (`<prefix>rl:<scope>:<kind>:<tenant>[:<subject>]`),
   * so counters carry over an upgrade. Tier is not part of the key: a caller moved between tiers keeps its count.
   * One script call touches several keys, which a Redis Cluster would refuse across slots; the gateway's client is a
   * single-node one (src/redis-client.ts) and the platform runs standalone Valkey (docs/decisions/0076).
   */
  private counterKey(principal: Principal, scope: Scope, kind: Kind): string {
    const base = `${this.keyPrefix}rl:${scope}:${kind}:${principal.tenant}`;
    return scope === "principal" ? `${base}:${principal.subject}` : base;
  }

  /** Charges one request to the principal and its tenant; throws 429 (or 503 fail-closed). */
  checkRequest(principal: Principal): Promise<LimitHeaders> {
    return this.charge(principal, 1, 0);
  }

  /** Charges `tokens` prompt tokens before the call; throws 429 when the budget is spent. */
  consumeTokens(principal: Principal, tokens: number): Promise<LimitHeaders> {
    return this.charge(principal, 0, Math.max(1, Math.ceil(tokens)));
  }

  /**
   * Charges `requests` requests and `tokens` prompt tokens (either may be 0) to the principal and its tenant, in one
   * Redis command sent synchronously. The requests' 429 wins over the tokens'; tokens charged with refused requests
   * are refunded (with the next batch of corrections). Answers the x-ratelimit-* headers of the kinds charged.
   */
  charge(principal: Principal, requests: number, tokens: number): Promise<LimitHeaders> {
    const tier = this.cfg.tiers[principal.tier];
    if (!tier) return Promise.reject(new GatewayError(403, "unknown_tier", `rate-limit tier "${principal.tier}" is not configured`));
    const counters: Counter[] = [];
    const points: number[] = [];
    if (requests > 0) {
      counters.push({ kind: "requests", scope: "principal", key: this.counterKey(principal, "principal", "requests"), limit: tier.principal.rpm });
      counters.push({ kind: "requests", scope: "tenant", key: this.counterKey(principal, "tenant", "requests"), limit: tier.tenant.rpm });
      points.push(requests, requests);
    }
    if (tokens > 0) {
      counters.push({ kind: "tokens", scope: "principal", key: this.counterKey(principal, "principal", "tokens"), limit: tier.principal.tpm });
      counters.push({ kind: "tokens", scope: "tenant", key: this.counterKey(principal, "tenant", "tokens"), limit: tier.tenant.tpm });
      points.push(tokens, tokens);
    }
    if (counters.length === 0) return Promise.resolve({});
    let sent: Promise<CounterState[]>;
    try {
      sent = this.writeTogether(() => addToCounters(this.redis, WINDOW_S, counters.map((c) => c.key), points));
    } catch (e) {
      sent = Promise.reject(e);
    }
    return sent.then(
      (states) => this.verdict(principal, counters, states, tokens),
      (e: unknown) => this.storeFailed(e),
    );
  }

  /** 429 for the first counter over its limit (requests before tokens), else the tightest counter's headers per kind. */
  private verdict(principal: Principal, counters: readonly Counter[], states: readonly CounterState[], tokens: number): LimitHeaders {
    const headers: LimitHeaders = {};
    const tightest: Partial<Record<Kind, { remaining: number; limit: number; msLeft: number }>> = {};
    for (let i = 0; i < counters.length; i++) {
      const c = counters[i] as Counter;
      const s = states[i] as CounterState;
      if (s.total > c.limit) {
        if (c.kind === "requests" && tokens > 0) void this.adjustTokens(principal, -tokens);
        this.metrics.rateLimitRejections.inc({ scope: c.scope, kind: c.kind });
        const names = HEADER_NAMES[c.kind];
        const retryS = Math.max(1, Math.ceil(s.msLeft / 1000));
        throw new GatewayError(429, c.kind === "requests" ? "rate_limit_exceeded" : "tokens_rate_limit_exceeded", `Rate limit reached for ${c.scope} ${c.kind} per minute (limit ${c.limit}); retry after ${retryS}s`, {
          headers: { "retry-after": String(retryS), [names.limit]: String(c.limit), [names.remaining]: "0", [names.reset]: resetText(s.msLeft) },
        });
      }
      const remaining = c.limit - s.total;
      const t = tightest[c.kind];
      if (!t || remaining < t.remaining) tightest[c.kind] = { remaining, limit: c.limit, msLeft: s.msLeft };
    }
    for (const kind of ["requests", "tokens"] as const) {
      const t = tightest[kind];
      if (!t) continue;
      const names = HEADER_NAMES[kind];
      headers[names.limit] = String(t.limit);
      headers[names.remaining] = String(Math.max(0, t.remaining));
      headers[names.reset] = resetText(t.msLeft);
    }
    return headers;
  }

  /** Redis failed or is unreachable: fail-open answers no headers, fail-closed a 503. */
  private storeFailed(e: unknown): LimitHeaders {
    if (e instanceof GatewayError) throw e;
    const mode = this.cfg.failureMode;
    this.metrics.rateLimitStoreErrors.inc({ mode });
    this.log.warn({ mode, err: { message: (e as Error).message } }, "rate limit store unreachable");
    if (mode === "fail-closed") throw new GatewayError(503, "rate_limit_unavailable", "rate limiting is temporarily unavailable; try again shortly", { headers: { "retry-after": "1" } });
    return {};
  }

  /**
   * After the call: charges (delta > 0) or refunds (delta < 0) the difference with actual usage. Never throws.
   * Corrections are summed per counter and flushed every `usageCorrectionBatchMs` (one script call for all of them), so a busy principal costs nothing per request; the counters lag actual usage by at most that long. The
   * promise settles when this correction has been sent.
   */
  adjustTokens(principal: Principal, delta: number): Promise<void> {
    if (delta === 0 || !Number.isFinite(delta)) return Promise.resolve();
    if (!this.cfg.tiers[principal.tier]) return Promise.resolve();
    for (const scope of SCOPES) {
      const key = this.counterKey(principal, scope, "tokens");
      this.corrections.set(key, (this.corrections.get(key) ?? 0) + delta);
    }
    return this.batch.next();
  }

  /** Sends every pending usage correction now (also on shutdown). Never throws. */
  flush(): Promise<void> {
    return this.batch.now();
  }

  private async sendCorrections(): Promise<void> {
    const keys: string[] = [];
    const points: number[] = [];
    for (const [key, delta] of this.corrections) {
      // Whole tokens: a charge rounds up, a refund rounds down (never refund more than was charged).
      const p = delta > 0 ? Math.ceil(delta) : -Math.floor(-delta);
      if (p === 0) continue;
      keys.push(key);
      points.push(p);
    }
    this.corrections.clear();
    if (keys.length === 0) return;
    try {
      await this.writeTogether(() => addToCounters(this.redis, WINDOW_S, keys, points));
    } catch (e) {
      this.log.warn({ err: { message: (e as Error).message }, corrections: keys.length }, "rate limit usage correction failed");
    }
  }
}
