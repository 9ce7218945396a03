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
    expect(ready.json).toMatchObject({ status: "not_ready", checks: { redis: expect.stringContaining("unreachable") } });
    // The chart's probe with fail-open: Redis excluded, so the replica stays in the Service and keeps serving.
    const probe = await a.request("GET", "/readyz?exclude=models&exclude=redis");
    expect(probe.status).toBe(200);
    expect(probe.json).toEqual({ status: "ready", checks: {} });
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

test("a caller over its request limit gets the 429 whatever else is wrong with the request; every request is charged once", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "rpm-bad-input:" } });
  const a = await gateway(cfg);
  const post = (init: { json?: unknown; body?: string }) => a.request("POST", "/v1/chat/completions", { headers: { ...bearer(KEYS.tiny), "content-type": "application/json" }, ...init });
  // Within the limit (3 per minute) bad requests get their 400/404, and each counts.
  const bad = await post({ body: "{not json" });
  expect(bad.status).toBe(400);
  expect(bad.headers.get("x-ratelimit-remaining-requests")).toBe("2");
  expect((await post({ json: { model: "no-such-model", messages: [{ role: "user", content: "hi" }] } })).status).toBe(404);
  const ok = await post({ json: { model: "mistral-7b", messages: [{ role: "user", content: "hi" }] } });
  expect(ok.status).toBe(200);
  expect(ok.headers.get("x-ratelimit-remaining-requests")).toBe("0");
  expect(ok.headers.get("x-ratelimit-limit-tokens")).not.toBeNull();
  // Over it, the 429 wins over the body's faults, and nothing reaches the model.
  const sent = upstream.requests.length;
  for (const init of [{ body: "{not json" }, { json: { model: "no-such-model", messages: [] } }, { json: { model: "mistral-7b", messages: [{ role: "user", content: "hi" }] } }]) {
    const r = await post(init);
    expect(r.status).toBe(429);
    expect(r.json.error?.code).toBe("rate_limit_exceeded");
  }
  expect(upstream.requests.length).toBe(sent);
  expect(Number(await a.redis.get("rpm-bad-input:rl:principal:requests:tenant-tiny:apikey:tiny"))).toBe(6);
});

test("a cache-eligible chat request makes one Redis write before its upstream call (RPM, TPM and the lookup together)", async () => {
  const cfg = testConfig(
    { big: [upstream.url], small: [upstream.url] },
    // Post-response writes (usage correction, cache store) are batched; push them out of the measured window.
    { redis: { keyPrefix: "one-write:" }, limits: { usageCorrectionBatchMs: 1_000 }, cache: { storeBatchMs: 1_000 } },
  );
  const a = await gateway(cfg);
  // Counts the socket's flushes to the kernel: with the commands corked together, one _writev; one _write each otherwise.
  const socket = a.redis.stream as unknown as { _write: (...args: unknown[]) => void; _writev: (...args: unknown[]) => void };
  let flushes = 0;
  const write = socket._write.bind(socket);
  const writev = socket._writev.bind(socket);
  socket._write = (...args) => {
    flushes++;
    write(...args);
  };
  socket._writev = (...args) => {
    flushes++;
    writev(...args);
  };
  const res = await a.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: { model: "mistral-7b", temperature: 0, messages: [{ role: "user", content: "one write" }] } });
  socket._write = write;
  socket._writev = writev;
  expect(res.status).toBe(200);
  expect(res.headers.get("x-cache")).toBe("miss");
  expect(res.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();
  expect(res.headers.get("x-ratelimit-remaining-tokens")).not.toBeNull();
  expect(flushes).toBe(1);
});

test("usage corrections are summed per counter, written in batches, and written on close", async () => {
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "corr-batch:" }, limits: { usageCorrectionBatchMs: 1_000 } });
  const a = await startGateway(cfg, redis.url);
  const key = "corr-batch:rl:principal:tokens:tenant-a:apikey:a1";
  const r = await chat(a, KEYS.tenantA, "a question whose estimate differs from the stand-in's usage");
  expect(r.status).toBe(200);
  const usage = (r.json.usage as { total_tokens: number }).total_tokens;
  // Only the estimate is charged so far (the correction waits for its batch) ...
  const charged = Number(await a.redis.get(key));
  expect(charged).toBeGreaterThan(0);
  expect(charged).not.toBe(usage);
  // ... and closing the gateway writes it: the counter then holds the actual usage.
  await a.close();
  const b = await gateway(cfg);
  expect(Number(await b.redis.get(key))).toBe(usage);
});

test("a hung Redis (process frozen) cannot hang requests: fail-closed answers 503 within the timeout, and the gateway recovers", async () => {
  const frozen = await TestRedis.start();
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "hung:", commandTimeoutMs: 300 }, limits: { failureMode: "fail-closed" } });
  const a = await startGateway(cfg, frozen.url);
  try {
    expect((await chat(a, KEYS.tenantA)).status).toBe(200);
    process.kill(frozen.pid as number, "SIGSTOP"); // accepts nothing, answers nothing, keeps the connection open
    try {
      const started = Date.now();
      const res = await chat(a, KEYS.tenantA);
      expect(res.status).toBe(503);
      expect(res.json.error?.code).toBe("rate_limit_unavailable");
      expect(Date.now() - started).toBeLessThan(3_000);
    } finally {
      process.kill(frozen.pid as number, "SIGCONT");
    }
    await waitFor(async () => a.redis.status === "ready" && (await chat(a, KEYS.tenantA)).status === 200);
  } finally {
    await a.close();
    await frozen.stop();
  }
});
