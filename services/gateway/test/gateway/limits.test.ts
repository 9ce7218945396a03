/**
 * Rate limits against a real Redis: RPM per principal enforced across two gateway instances sharing it, per
 * tenant, TPM charged with the tokenizer and corrected with actual usage, 429 headers, and the failure modes
 * with Redis really stopped.
 */
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";
import type { GatewayConfig } from "../../src/config/schema";

let redis: TestRedis;
let upstream: OpenAIStandin;
const open: TestGateway[] = [];

const chat = (g: TestGateway, key: string, content = "hello") =>
  g.request("POST", "/v1/chat/completions", { headers: bearer(key), json: { model: "mistral-7b", messages: [{ role: "user", content }] } });

async function gateway(cfg: GatewayConfig): Promise<TestGateway> {
  const g = await startGateway(cfg, redis.url);
  open.push(g);
  return g;
}

beforeAll(async () => {
  redis = await TestRedis.start();
  upstream = await OpenAIStandin.start();
});

afterAll(async () => {
  for (const g of open) await g.close();
  await upstream.stop();
  await redis.stop();
});

test("requests per minute hold across two gateway instances sharing one Redis", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "rpm-test:" } });
  const a = await gateway(cfg);
  const b = await gateway(cfg);
  // The "tiny" tier allows 3 requests per minute per principal.
  const statuses = [];
  for (const g of [a, b, a, b]) statuses.push((await chat(g, KEYS.tiny)).status);
  expect(statuses).toEqual([200, 200, 200, 429]);
  const rejected = await chat(a, KEYS.tiny);
  expect(rejected.status).toBe(429);
  expect(rejected.json.error).toMatchObject({ type: "rate_limit_error", code: "rate_limit_exceeded" });
  expect(Number(rejected.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(rejected.headers.get("x-ratelimit-limit-requests")).toBe("3");
  expect(rejected.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  expect(rejected.headers.get("x-ratelimit-reset-requests")).toMatch(/^\d+s$/);
  expect(await a.metric("llm_gateway_rate_limit_rejections_total", { scope: "principal", kind: "requests" })).toBe(1);
  // Another principal is unaffected.
  expect((await chat(b, KEYS.tenantA)).status).toBe(200);
});

test("the tenant limit is shared by the tenant's principals", async () => {
  const cfg = testConfig(
    { big: [upstream.url], small: [upstream.url] },
    { redis: { keyPrefix: "tenant-test:" }, limits: { tiers: { standard: { principal: { rpm: 100, tpm: 1_000_000 }, tenant: { rpm: 2, tpm: 1_000_000 } }, tiny: { principal: { rpm: 1, tpm: 1 }, tenant: { rpm: 1, tpm: 1 } } } } },
  );
  const a = await gateway(cfg);
  expect((await chat(a, KEYS.tenantA)).status).toBe(200);
  expect((await chat(a, KEYS.tenantA2)).status).toBe(200);
  const third = await chat(a, KEYS.tenantA);
  expect(third.status).toBe(429);
  expect(await a.metric("llm_gateway_rate_limit_rejections_total", { scope: "tenant", kind: "requests" })).toBe(1);
  expect((await chat(a, KEYS.tenantB)).status).toBe(200);
});

test("tokens per minute: prompt charged before the call, corrected with actual usage after", async () => {
  const cfg = testConfig(
    { big: [upstream.url], small: [upstream.url] },
    { redis: { keyPrefix: "tpm-test:" }, limits: { tiers: { standard: { principal: { rpm: 1000, tpm: 400 }, tenant: { rpm: 1000, tpm: 100_000 } }, tiny: { principal: { rpm: 1, tpm: 1 }, tenant: { rpm: 1, tpm: 1 } } } } },
  );
  const a = await gateway(cfg);
  const first = await chat(a, KEYS.tenantA, "count these words please");
  expect(first.status).toBe(200);
  const remainingBefore = Number(first.headers.get("x-ratelimit-remaining-tokens"));
  expect(remainingBefore).toBeLessThan(400);
  // The stand-in's usage (prompt = JSON length / 4, completion = 8) differs from the tokenizer's estimate; the
  // correction lands in Redis shortly after the response.
  const usage = (first.json.usage as { total_tokens: number }).total_tokens;
  await new Promise((r) => setTimeout(r, 50));
  const key = "tpm-test:rl:principal:tokens:tenant-a:apikey:a1";
  expect(Number(await a.redis.get(key))).toBe(usage);
  // A prompt larger than what is left is refused before reaching the model.
  const sent = upstream.requests.length;
  const big = await chat(a, KEYS.tenantA, "lorem ipsum dolor sit amet ".repeat(80));
  expect(big.status).toBe(429);
  expect(big.json.error?.code).toBe("tokens_rate_limit_exceeded");
  expect(big.headers.get("x-ratelimit-limit-tokens")).toBe("400");
  expect(upstream.requests.length).toBe(sent);
});

test("fail-open with Redis stopped: requests pass, the store error is counted; limits resume when Redis returns", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "open-test:" }, limits: { failureMode: "fail-open", tiers: { standard: { principal: { rpm: 1000, tpm: 1_000_000 }, tenant: { rpm: 1000, tpm: 1_000_000 } }, tiny: { principal: { rpm: 1, tpm: 1_000 }, tenant: { rpm: 100, tpm: 100_000 } } } } });
  const a = await gateway(cfg);
  expect((await chat(a, KEYS.tiny)).status).toBe(200);
  expect((await chat(a, KEYS.tiny)).status).toBe(429);
  await redis.stop();
  try {
    const started = Date.now();
    const res = await chat(a, KEYS.tiny);
    expect(res.status).toBe(200);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await a.metric("llm_gateway_rate_limit_store_errors_total", { mode: "fail-open" })).toBeGreaterThan(0);
    const ready = await a.request("GET", "/readyz");
    expect(ready.status).toBe(503);
  } finally {
    await redis.start();
  }
  await waitFor(async () => a.redis.status === "ready");
  expect((await chat(a, KEYS.tiny)).status).toBe(200); // fresh Redis: the counter restarted
  expect((await chat(a, KEYS.tiny)).status).toBe(429);
});

test("fail-closed with Redis stopped: 503 with an OpenAI-style body, never a hang", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "closed-test:" }, limits: { failureMode: "fail-closed" } });
  const a = await gateway(cfg);
  expect((await chat(a, KEYS.tenantA)).status).toBe(200);
  await redis.stop();
  try {
    const sent = upstream.requests.length;
    const res = await chat(a, KEYS.tenantA);
    expect(res.status).toBe(503);
    expect(res.json.error).toMatchObject({ code: "rate_limit_unavailable", type: "service_unavailable" });
    expect(upstream.requests.length).toBe(sent);
    expect(await a.metric("llm_gateway_rate_limit_store_errors_total", { mode: "fail-closed" })).toBeGreaterThan(0);
  } finally {
    await redis.start();
  }
  await waitFor(async () => a.redis.status === "ready");
  expect((await chat(a, KEYS.tenantA)).status).toBe(200);
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}
