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
import { createHash } from "node:crypto";
import type { Redis } from "ioredis";
import stringify from "safe-stable-stringify";
import type { GatewayConfig } from "../config/schema";

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
  return `${prefix}cache:${createHash("sha256").update(canonical ?? "").digest("hex")}`;
}

export class ResponseCache {
  constructor(
    private readonly redis: Redis,
    private readonly cfg: GatewayConfig["cache"],
    readonly prefix: string,
  ) {}

  /** Whether this request may be served from / stored in the cache. */
  eligible(body: { stream?: boolean | null; temperature?: number | null }, d: CacheDirectives): { lookup: boolean; store: boolean } {
    if (!this.cfg.enabled || body.stream === true || d.noStore) return { lookup: false, store: false };
    if (!(body.temperature === 0 || d.optIn)) return { lookup: false, store: false };
    return { lookup: !d.noCache, store: true };
  }

  async get(key: string): Promise<string | null> {
    return this.redis.get(key);
  }

  async set(key: string, value: string): Promise<boolean> {
    if (Buffer.byteLength(value) > this.cfg.maxEntryBytes) return false;
    await this.redis.set(key, value, "EX", this.cfg.ttlSeconds);
    return true;
  }
}
