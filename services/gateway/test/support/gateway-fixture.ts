/**
 * Builds a gateway for tests from real collaborators: a real Redis (TestRedis), loopback OpenAI stand-ins as the
 * model replicas, real API keys (hashed) and, optionally, a loopback JWT issuer. Config goes through the real
 * schema, so defaults are the production ones unless a test overrides them.
 */
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import { buildApp, type AppDeps } from "../../src/app";
import { ApiKeyStore, sha256Hex } from "../../src/auth/api-keys";
import { parseConfig } from "../../src/config/load";
import type { GatewayConfig, GatewayConfigInput } from "../../src/config/schema";
import { connectRedis, createRedis } from "../../src/redis-client";

/** Plain API keys the fixture's key store accepts (only their hashes are stored). */
export const KEYS = {
  tenantA: "sk-test-tenant-a-0000000000000001",
  tenantA2: "sk-test-tenant-a-0000000000000002",
  tenantB: "sk-test-tenant-b-0000000000000003",
  tiny: "sk-test-tiny-000000000000000000004",
  noChat: "sk-test-nochat-0000000000000000005",
  onlyMistral: "sk-test-mistral-000000000000000006",
} as const;

export function testKeyStore(): ApiKeyStore {
  const all = ["chat", "embeddings", "models:read", "rag:query"] as ("chat" | "embeddings" | "models:read" | "rag:query")[];
  return new ApiKeyStore({
    keys: [
      { id: "a1", sha256: sha256Hex(KEYS.tenantA), tenant: "tenant-a", tier: "standard", scopes: all, models: "*", groups: [] },
      { id: "a2", sha256: sha256Hex(KEYS.tenantA2), tenant: "tenant-a", tier: "standard", scopes: all, models: "*", groups: [] },
      { id: "b1", sha256: sha256Hex(KEYS.tenantB), tenant: "tenant-b", tier: "standard", scopes: all, models: "*", groups: [] },
      { id: "tiny", sha256: sha256Hex(KEYS.tiny), tenant: "tenant-tiny", tier: "tiny", scopes: all, models: "*", groups: [] },
      { id: "nochat", sha256: sha256Hex(KEYS.noChat), tenant: "tenant-a", tier: "standard", scopes: ["models:read"], models: "*", groups: [] },
      { id: "mistral", sha256: sha256Hex(KEYS.onlyMistral), tenant: "tenant-a", tier: "standard", scopes: all, models: ["mistral-7b"], groups: [] },
    ],
  });
}

/** A config with two chat models (the first falls back to the second) and an embedding model. */
export function testConfig(urls: { big: string[]; small: string[]; embed?: string[] }, overrides: Partial<GatewayConfigInput> = {}): GatewayConfig {
  const input: GatewayConfigInput = {
    redis: { url: "redis://127.0.0.1:6379", keyPrefix: `t${process.pid}:` },
    telemetry: { logLevel: "silent" },
    limits: {
      failureMode: "fail-open",
      tiers: {
        standard: { principal: { rpm: 10_000, tpm: 10_000_000 }, tenant: { rpm: 100_000, tpm: 100_000_000 } },
        tiny: { principal: { rpm: 3, tpm: 1_000_000 }, tenant: { rpm: 100, tpm: 1_000_000 } },
      },
    },
    models: {
      // "mistral" tokenizers load in under a second (llama3's takes several), keeping test files fast.
      "llama-3-70b": { upstreamModel: "meta-llama/Meta-Llama-3-70B-Instruct", upstreams: urls.big, tokenizer: "mistral", fallbacks: ["mistral-7b"], pricing: { promptPerMillion: 1, completionPerMillion: 2 } },
      "mistral-7b": { upstreamModel: "mistralai/Mistral-7B-Instruct-v0.3", upstreams: urls.small, tokenizer: "mistral" },
      ...(urls.embed ? { "bge-large": { kind: "embedding" as const, upstreamModel: "BAAI/bge-large-en-v1.5", upstreams: urls.embed, tokenizer: "mistral" as const } } : {}),
    },
    aliases: { default: "llama-3-70b" },
    routing: { backoffBaseMs: 5, backoffMaxMs: 20, firstByteTimeoutMs: 2_000, circuitBreaker: { failureThreshold: 3, resetTimeoutMs: 60_000 } },
    ...overrides,
  };
  return parseConfig(input, "test");
}

export interface TestGateway {
  readonly app: FastifyInstance;
  readonly redis: Redis;
  readonly registry: Registry;
  /** Base URL after listen(). */
  url: string;
  listen(): Promise<string>;
  close(): Promise<void>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  /** An HTTP request over a real socket (Fastify's inject() cannot load in jest: light-my-request needs an ESM-only dependency). */
  request(method: string, path: string, opts?: { headers?: Record<string, string>; json?: unknown; body?: string }): Promise<HttpResult>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body as JSON (undefined when it is not JSON). */
  readonly json: { error?: { message: string; type: string; code: string; param: string | null } } & Record<string, unknown>;
}

export async function startGateway(config: GatewayConfig, redisUrl: string, extra: Partial<AppDeps> = {}): Promise<TestGateway> {
  const redis = createRedis({ ...config.redis, url: redisUrl });
  redis.on("error", () => undefined);
  await connectRedis(redis);
  const registry = new Registry();
  const app = buildApp({ config, redis, registry, apiKeys: testKeyStore(), ...extra });
  await app.ready();
  const gw: TestGateway = {
    async request(method, path, opts = {}) {
      const headers: Record<string, string> = { ...(opts.json !== undefined ? { "content-type": "application/json" } : {}), ...opts.headers };
      const res = await fetch(gw.url + path, { method, headers, ...(opts.json !== undefined ? { body: JSON.stringify(opts.json) } : opts.body !== undefined ? { body: opts.body } : {}) });
      const text = await res.text();
      let json: HttpResult["json"];
      try {
        json = JSON.parse(text) as HttpResult["json"];
      } catch {
        json = {} as HttpResult["json"];
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    app,
    redis,
    registry,
    url: "",
    async listen() {
      if (gw.url) return gw.url;
      await app.listen({ host: "127.0.0.1", port: 0 });
      const addr = app.server.address();
      gw.url = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
      return gw.url;
    },
    async close() {
      // Node's fetch (the tests' client) opens spare keep-alive connections that never carry a request; Node's
      // server.close() waits for those until headersTimeout. Production shutdown force-closes after its grace
      // period (server.ts); tests do it after a short one.
      const force = setTimeout(() => app.server.closeAllConnections(), 300);
      await app.close();
      clearTimeout(force);
      redis.disconnect();
    },
    async metric(name, labels = {}) {
      const m = await registry.getSingleMetric(name)?.get();
      let sum = 0;
      for (const v of (m as { values?: Array<{ value: number; labels: Record<string, string | number>; metricName?: string }> } | undefined)?.values ?? []) {
        if (v.metricName && v.metricName !== name && !v.metricName.endsWith("_count")) continue;
        if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
      }
      return sum;
    },
  };
  await gw.listen();
  return gw;
}

/** Headers for an API key. */
export function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}
