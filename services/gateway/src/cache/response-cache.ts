/**
 * The response cache: non-streaming answers in Redis, keyed by a SHA-256 of the canonical request: the tenant,
 * the resolved model, the messages actually sent (after redaction and RAG augmentation) and every other request
 * parameter (temperature, top_p, max_tokens, seed, stop, tools, response_format, vLLM extensions ...). Key
 * order does not matter (safe-stable-stringify sorts keys); any other difference misses. Only the fields that
 * cannot change the answer are left out: stream, stream_options, user and rag (whose effect is in the messages).
 *
 * Eligible when temperature is 0 or the opt-in header is "true"; `Cache-Control: no-store` skips lookup and
 * store, `no-cache` skips lookup but stores the fresh answer.
 */
import { hash } from "node:crypto";
import type { Redis } from "ioredis";
import stringify from "safe-stable-stringify";
import type { GatewayConfig } from "../config/schema";
import { BatchTimer } from "../batch-timer";
import { writeTogether } from "../redis-client";

export type CacheResult = "hit" | "miss" | "bypass" | "error";

/** What the request's headers say about caching. */
export interface CacheDirectives {
  readonly noStore: boolean;
  readonly noCache: boolean;
  readonly optIn: boolean;
}

export const noDirectives: CacheDirectives = { noStore: false, noCache: false, optIn: false };

export function directivesFromHeaders(headers: Record<string, string | string[] | undefined>, optInHeader: string): CacheDirectives {
  const cc = String(headers["cache-control"] ?? "").toLowerCase();
  const opt = headers[optInHeader.toLowerCase()];
  return { noStore: /\bno-store\b/.test(cc), noCache: /\bno-cache\b/.test(cc), optIn: String(opt ?? "").toLowerCase() === "true" };
}

const excluded = new Set(["model", "messages", "stream", "stream_options", "user", "rag"]);

/** The cache key of a request. */
export function cacheKey(prefix: string, tenant: string, model: string, messages: readonly unknown[], body: Readonly<Record<string, unknown>>): string {
  const params: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!excluded.has(k) && v !== undefined) params[k] = v;
  const canonical = stringify({ v: 1, tenant, model, messages, params });
  // crypto.hash, not createHash: no Hash object per request (see src/auth/api-keys.ts).
  return `${prefix}cache:${hash("sha256", canonical ?? "", "hex")}`;
}

export class ResponseCache {
  /** Answers waiting for the next batched write, by key. */
  private readonly pending = new Map<string, string>();
  private readonly batch: BatchTimer;

  constructor(
    private readonly redis: Redis,
    private readonly cfg: GatewayConfig["cache"],
    readonly prefix: string,
  ) {
    this.batch = new BatchTimer(cfg.storeBatchMs, () => this.write());
  }

  /** Whether this request may be served from / stored in the cache. */
  eligible(body: { stream?: boolean | null; temperature?: number | null }, d: CacheDirectives): { lookup: boolean; store: boolean } {
    if (!this.cfg.enabled || body.stream === true || d.noStore) return { lookup: false, store: false };
    if (!(body.temperature === 0 || d.optIn)) return { lookup: false, store: false };
    return { lookup: !d.noCache, store: true };
  }

  /** The cached answer, or null. Answers this replica stored and has not written yet are served from memory. */
  async get(key: string): Promise<string | null> {
    const waiting = this.pending.get(key);
    if (waiting !== undefined) return waiting;
    return this.redis.get(key);
  }

  /**
   * Stores an answer. Stores are batched: every `storeBatchMs` the waiting answers go to Redis in one pipelined
   * write (a store per request was a write syscall and a Redis wake-up per request); meanwhile this replica
   * serves them from memory, so only other replicas see an answer up to that much later. Resolves when written.
   */
  set(key: string, value: string): Promise<boolean> {
    if (Buffer.byteLength(value) > this.cfg.maxEntryBytes) return Promise.resolve(false);
    this.pending.set(key, value);
    return this.batch.next().then(() => true);
  }

  /** Writes every waiting answer now (also on shutdown). Rejects with the first failure; no answer is retried. */
  flush(): Promise<void> {
    return this.batch.now();
  }

  private async write(): Promise<void> {
    const batch = [...this.pending];
    const sent = writeTogether(this.redis, () => batch.map(([key, value]) => this.redis.set(key, value, "EX", this.cfg.ttlSeconds)));
    const results = await Promise.allSettled(sent);
    // Stored (or failed: the cache is best-effort): no longer served from memory, unless stored again meanwhile.
    for (const [key, value] of batch) if (this.pending.get(key) === value) this.pending.delete(key);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) throw failed.reason;
  }
}
