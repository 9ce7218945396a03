/**
 * The response cache in a real Redis: hits only on identical requests; any parameter, message, model or tenant
 * change misses; streaming and temperature > 0 bypass unless opted in; Cache-Control honoured.
 */
import type { TestRedis } from "../support/redis-server";
import type { OpenAIStandin } from "../support/openai-standin";
import { startGatewayStack, type GatewayStack } from "../support/gateway-stack";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

let redis: TestRedis;
let upstream: OpenAIStandin;
let gw: TestGateway;
let stack: GatewayStack;

const base = { model: "mistral-7b", messages: [{ role: "user", content: "cache me" }], temperature: 0, max_tokens: 32 };
const chat = (json: unknown, key: string = KEYS.tenantA, headers: Record<string, string> = {}) =>
  gw.request("POST", "/v1/chat/completions", { headers: { ...bearer(key), ...headers }, json });

beforeAll(async () => {
  stack = await startGatewayStack();
  ({ redis, upstream, gw } = stack);
});

afterAll(async () => stack.stop());

test("an identical request hits; key order does not matter", async () => {
  const first = await chat(base);
  expect(first.headers.get("x-cache")).toBe("miss");
  const sent = upstream.requests.length;
  await new Promise((r) => setTimeout(r, 20)); // the store is written after the answer
  const second = await chat({ max_tokens: 32, temperature: 0, messages: [{ content: "cache me", role: "user" }], model: "mistral-7b" });
  expect(second.headers.get("x-cache")).toBe("hit");
  expect(second.json).toEqual(first.json);
  expect(upstream.requests.length).toBe(sent);
  expect(await gw.metric("llm_gateway_cache_requests_total", { result: "hit" })).toBe(1);
  await gw.app.responseCache.flush(); // stores are batched (see below)
  const ttl = await gw.redis.ttl((await gw.redis.keys(`${gw.app.config.redis.keyPrefix}cache:*`))[0] as string);
  expect(ttl).toBeGreaterThan(86_000);
});

const changes: Array<[string, Record<string, unknown>]> = [
  ["max_tokens", { max_tokens: 33 }],
  ["seed", { seed: 7 }],
  ["top_p", { top_p: 0.5 }],
  ["stop", { stop: ["\n"] }],
  ["presence_penalty", { presence_penalty: 0.1 }],
  ["an unknown vLLM parameter", { top_k: 5 }],
  ["the message text", { messages: [{ role: "user", content: "cache me!" }] }],
  ["the message role", { messages: [{ role: "system", content: "cache me" }] }],
  ["an extra message", { messages: [{ role: "system", content: "x" }, { role: "user", content: "cache me" }] }],
  ["the model", { model: "llama-3-70b" }],
];

test.each(changes)("changing %s misses", async (_name, change) => {
  await chat(base); // make sure the base entry exists
  await new Promise((r) => setTimeout(r, 20));
  const res = await chat({ ...base, ...change });
  expect(res.status).toBe(200);
  expect(res.headers.get("x-cache")).toBe("miss");
});

test("another tenant misses; another principal of the same tenant hits", async () => {
  await chat(base);
  await new Promise((r) => setTimeout(r, 20));
  expect((await chat(base, KEYS.tenantB)).headers.get("x-cache")).toBe("miss");
  expect((await chat(base, KEYS.tenantA2)).headers.get("x-cache")).toBe("hit");
});

test("temperature > 0 bypasses unless opted in by header; streaming bypasses", async () => {
  const warm = { ...base, temperature: 0.7 };
  expect((await chat(warm)).headers.get("x-cache")).toBe("bypass");
  expect((await chat(warm)).headers.get("x-cache")).toBe("bypass");
  expect((await chat(warm, KEYS.tenantA, { "x-gateway-cache": "true" })).headers.get("x-cache")).toBe("miss");
  await new Promise((r) => setTimeout(r, 20));
  expect((await chat(warm, KEYS.tenantA, { "x-gateway-cache": "true" })).headers.get("x-cache")).toBe("hit");
  expect((await chat({ ...base, stream: true })).headers.get("x-cache")).toBe("bypass");
});

test("Cache-Control: no-store skips lookup and store; no-cache refreshes", async () => {
  const fresh = { ...base, messages: [{ role: "user", content: "never seen" }] };
  expect((await chat(fresh, KEYS.tenantA, { "cache-control": "no-store" })).headers.get("x-cache")).toBe("bypass");
  await new Promise((r) => setTimeout(r, 20));
  expect((await chat(fresh)).headers.get("x-cache")).toBe("miss");
  await new Promise((r) => setTimeout(r, 20));
  const sent = upstream.requests.length;
  expect((await chat(fresh, KEYS.tenantA, { "cache-control": "no-cache" })).headers.get("x-cache")).toBe("bypass");
  expect(upstream.requests.length).toBe(sent + 1);
});

test("with Redis down the cache is skipped, not fatal", async () => {
  await redis.stop();
  try {
    const res = await chat({ ...base, messages: [{ role: "user", content: "redis is down" }] });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-cache")).toBe("error");
  } finally {
    await redis.start();
  }
});

test("the lookup runs alongside the TPM charge, but a request over its token budget gets the 429, never the cached answer", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "cache-tpm:" } });
  (cfg.limits.tiers.tiny as { principal: { tpm: number } }).principal.tpm = 30;
  const g = await startGateway(cfg, redis.url);
  try {
    const req = { ...base, messages: [{ role: "user", content: "cached, then over budget" }] };
    const first = await g.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tiny), json: req });
    expect(first.status).toBe(200);
    expect(first.headers.get("x-cache")).toBe("miss");
    await new Promise((r) => setTimeout(r, 20));
    expect(await g.redis.keys("cache-tpm:cache:*")).toHaveLength(1);
    // Spend the rest of the token budget, then ask again: the entry exists, but the TPM charge fails first.
    await g.redis.set("cache-tpm:rl:principal:tokens:tenant-tiny:apikey:tiny", "1000", "EX", 60);
    const again = await g.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tiny), json: req });
    expect(again.status).toBe(429);
    expect(again.json.error?.code).toBe("tokens_rate_limit_exceeded");
    expect(again.headers.get("x-cache")).toBeNull();
    expect(await g.metric("llm_gateway_cache_requests_total", { result: "hit" })).toBe(0);
  } finally {
    await g.close();
  }
});

test("stores are batched: the storing replica serves the answer at once, Redis has it after the batch, and close writes what is pending", async () => {
  const prefix = "batch-test:";
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: prefix }, cache: { storeBatchMs: 300 } });
  const a = await startGateway(cfg, redis.url);
  const b = await startGateway(cfg, redis.url);
  try {
    const body = { ...base, messages: [{ role: "user", content: "batched store" }] };
    const ask = (g: TestGateway) => g.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: body });
    expect((await ask(a)).headers.get("x-cache")).toBe("miss");
    // Not written yet: the other replica misses, the storing one hits from memory.
    expect(await a.redis.keys(`${prefix}cache:*`)).toHaveLength(0);
    expect((await ask(a)).headers.get("x-cache")).toBe("hit");
    expect((await ask(b)).headers.get("x-cache")).toBe("miss");
    // After the batch interval both stores are in Redis (one key: the same request) and any replica hits.
    await new Promise((r) => setTimeout(r, 450));
    expect(await a.redis.keys(`${prefix}cache:*`)).toHaveLength(1);
    const c = await startGateway(cfg, redis.url);
    try {
      expect((await ask(c)).headers.get("x-cache")).toBe("hit");
    } finally {
      await c.close();
    }
    // A store still waiting when the gateway closes is written before Redis is disconnected.
    const other = { ...body, messages: [{ role: "user", content: "stored on close" }] };
    expect((await a.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: other })).headers.get("x-cache")).toBe("miss");
    expect(await b.redis.keys(`${prefix}cache:*`)).toHaveLength(1);
    await a.close();
    expect(await b.redis.keys(`${prefix}cache:*`)).toHaveLength(2);
  } finally {
    await b.close();
  }
});
