/**
 * Routing against loopback replicas that fail on command: retries before the first byte, fallback to the next
 * model, circuit breakers that open and recover, timeouts, least-outstanding balancing, never retrying a stream
 * that started, PII keeping requests off external models, and a client abort cancelling the upstream call.
 */
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";
import type { Guardrails, InputGuardrailResult } from "../../src/contracts";

let redis: TestRedis;
let big1: OpenAIStandin;
let big2: OpenAIStandin;
let small: OpenAIStandin;
let external: OpenAIStandin;
let gw: TestGateway;
let now = 1_000_000;

const body = (extra: Record<string, unknown> = {}) => ({ model: "llama-3-70b", messages: [{ role: "user", content: "route me" }], ...extra });
const chat = (json: unknown = body(), g: TestGateway = gw) => g.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json });

beforeAll(async () => {
  redis = await TestRedis.start();
  [big1, big2, small, external] = await Promise.all([OpenAIStandin.start(), OpenAIStandin.start(), OpenAIStandin.start(), OpenAIStandin.start()]);
  gw = await startGateway(testConfig({ big: [big1.url, big2.url], small: [small.url] }, { routing: { backoffBaseMs: 5, firstByteTimeoutMs: 300, maxAttemptsPerModel: 2, circuitBreaker: { failureThreshold: 2, resetTimeoutMs: 10_000 } } }), redis.url, { clock: () => now });
});

afterAll(async () => {
  await gw.close();
  for (const s of [big1, big2, small, external]) await s.stop();
  await redis.stop();
});

beforeEach(async () => {
  for (const s of [big1, big2, small, external]) {
    s.reset();
    await s.listen();
  }
  now += 60_000; // any open circuit from a previous test is past its reset timeout
  // Close circuits that a previous test left half-open.
  for (const d of gw.app.modelRouter.deployments.values()) for (const r of d.replicas) r.breaker.recordSuccess();
});

afterEach(() => {
  for (const s of [big1, big2, small, external]) expect(s.violations).toEqual([]);
});

test("a 503 is retried (with backoff) on the same model before any fallback", async () => {
  small.failNext({ kind: "status", status: 503 });
  const res = await chat({ model: "mistral-7b", messages: [{ role: "user", content: "retry me" }] });
  expect(res.status).toBe(200);
  expect(small.requests.length).toBe(2);
});

test("a failing replica's requests are retried on the other replica of the same model", async () => {
  big1.setDefault({ kind: "status", status: 503 });
  for (let i = 0; i < 4; i++) {
    const res = await chat();
    expect(res.status).toBe(200);
    expect(res.json.model).toBe("llama-3-70b");
  }
  expect(big2.requests.length).toBe(4);
  expect(big1.requests.length).toBeGreaterThan(0);
  expect(small.requests.length).toBe(0);
});

test("fallback to the next model when every replica of the first fails before the first byte", async () => {
  big1.setDefault({ kind: "status", status: 502 });
  big2.setDefault({ kind: "status", status: 429 });
  const res = await chat();
  expect(res.status).toBe(200);
  expect(res.json.model).toBe("mistral-7b");
  expect(res.headers.get("x-gateway-model")).toBe("mistral-7b");
  expect(small.requests.length).toBe(1);
  expect(await gw.metric("llm_gateway_fallbacks_total", { from: "llama-3-70b", to: "mistral-7b" })).toBeGreaterThanOrEqual(1);
  expect(await gw.metric("llm_gateway_upstream_errors_total", { model: "llama-3-70b", reason: "status_429" })).toBeGreaterThanOrEqual(1);
});

test("connection refused falls back too; a streamed request falls back before its first byte", async () => {
  await big1.stop();
  await big2.stop();
  const res = await chat(body({ stream: true }));
  expect(res.status).toBe(200);
  expect(res.text).toContain('"model":"mistral-7b"');
  expect(res.text.trim().endsWith("data: [DONE]")).toBe(true);
  expect(await gw.metric("llm_gateway_upstream_errors_total", { model: "llama-3-70b", reason: "connect" })).toBeGreaterThanOrEqual(2);
});

test("a slow first byte times out and is retried elsewhere", async () => {
  // Far beyond the 300 ms first-byte timeout, so a loaded machine's late timers cannot let the slow answer win.
  big1.setDefault({ kind: "slow-first-byte", delayMs: 10_000 });
  big2.setDefault({ kind: "slow-first-byte", delayMs: 10_000 });
  const res = await chat();
  expect(res.status).toBe(200);
  expect(res.json.model).toBe("mistral-7b");
  expect(await gw.metric("llm_gateway_upstream_errors_total", { model: "llama-3-70b", reason: "timeout" })).toBeGreaterThanOrEqual(2);
});

test("the circuit opens after repeated failures, skips the replica, and recovers after the reset timeout", async () => {
  big1.setDefault({ kind: "status", status: 503 });
  const replica = gw.app.modelRouter.deployments.get("llama-3-70b")?.replicas.find((r) => r.label === big1.url);
  // Drive requests until big1 has failed twice (threshold 2): its circuit opens.
  for (let i = 0; i < 6 && replica?.breaker.state !== "open"; i++) expect((await chat()).status).toBe(200);
  expect(replica?.breaker.state).toBe("open");
  expect(await gw.metric("llm_gateway_circuit_state", { model: "llama-3-70b", upstream: big1.url })).toBe(2);
  const seen = big1.requests.length;
  for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
  expect(big1.requests.length).toBe(seen); // open: no traffic
  // Both replicas open → 503 from readyz for the model's fallback? No: the fallback model is healthy; readiness
  // is per model, and llama-3-70b still has big2.
  big1.setDefault({ kind: "ok" });
  now += 10_001; // past resetTimeoutMs: half-open, one probe
  expect(replica?.breaker.state).toBe("half-open");
  for (let i = 0; i < 4; i++) expect((await chat()).status).toBe(200);
  expect(big1.requests.length).toBeGreaterThan(seen);
  expect(replica?.breaker.state).toBe("closed");
  expect(await gw.metric("llm_gateway_circuit_state", { model: "llama-3-70b", upstream: big1.url })).toBe(0);
});

test("with every circuit of every model open, the answer is 503 no_healthy_upstream and readyz fails", async () => {
  for (const d of gw.app.modelRouter.deployments.values()) for (const r of d.replicas) for (let i = 0; i < 5; i++) r.breaker.recordFailure();
  const res = await chat();
  expect(res.status).toBe(503);
  expect(res.json.error?.code).toBe("no_healthy_upstream");
  expect((await gw.request("GET", "/readyz")).status).toBe(503);
  // Excluding one model still reports the other; excluding every model (the chart's probe) leaves Redis only.
  const oneExcluded = await gw.request("GET", "/readyz?exclude=model:llama-3-70b");
  expect(oneExcluded.status).toBe(503);
  expect(Object.keys(oneExcluded.json.checks as object).sort()).toEqual(["model:mistral-7b", "redis"]);
  const probe = await gw.request("GET", "/readyz?exclude=models");
  expect(probe.status).toBe(200);
  expect(probe.json).toEqual({ status: "ready", checks: { redis: "ok" } });
});

test("readyz refuses an exclude it does not know with a 400 naming the value", async () => {
  for (const bad of ["exclude=model:gpt-9", "exclude=redis&exclude=database", "exclude="]) {
    const res = await gw.request("GET", `/readyz?${bad}`);
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ code: "invalid_exclude", param: "exclude" });
    expect(res.json.error?.message).toContain("model:<name>");
  }
});

test("a 400 from the model server is passed on, not retried", async () => {
  big1.setDefault({ kind: "status", status: 400, message: "maximum context length is 8192 tokens" });
  big2.setDefault({ kind: "status", status: 400, message: "maximum context length is 8192 tokens" });
  const res = await chat();
  expect(res.status).toBe(400);
  expect(res.json.error?.code).toBe("upstream_rejected");
  expect(res.json.error?.message).toContain("maximum context length");
  expect(big1.requests.length + big2.requests.length).toBe(1);
});

test("least outstanding requests: concurrent requests spread over both replicas", async () => {
  big1.chunkDelayMs = big2.chunkDelayMs = 20;
  try {
    await Promise.all(Array.from({ length: 6 }, () => chat(body({ stream: true }))));
  } finally {
    big1.chunkDelayMs = big2.chunkDelayMs = 0;
  }
  expect(big1.requests.length).toBe(3);
  expect(big2.requests.length).toBe(3);
});

test("a stream that fails after its first byte is never retried: it ends with an error event", async () => {
  big1.setDefault({ kind: "drop-mid-stream" });
  big2.setDefault({ kind: "drop-mid-stream" });
  const res = await chat(body({ stream: true }));
  expect(res.status).toBe(200);
  expect(res.text).toContain('"code":"upstream_stream_error"');
  expect(res.text).not.toContain("[DONE]");
  expect(big1.requests.length + big2.requests.length + small.requests.length).toBe(1);
});

test("a client abort cancels the upstream call", async () => {
  big1.setDefault({ kind: "hang" });
  big2.setDefault({ kind: "hang" });
  const ac = new AbortController();
  const pending = fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { ...bearer(KEYS.tenantA), "content-type": "application/json" }, body: JSON.stringify(body()), signal: ac.signal }).catch((e: Error) => e);
  await waitFor(() => big1.requests.length + big2.requests.length === 1);
  ac.abort();
  await pending;
  await waitFor(() => [...big1.requests, ...big2.requests].some((r) => r.aborted));
  // And a streamed answer the client stops reading:
  big1.setDefault({ kind: "ok" });
  big2.setDefault({ kind: "ok" });
  big1.chunkDelayMs = big2.chunkDelayMs = 100;
  big1.words = big2.words = 50;
  try {
    const ac2 = new AbortController();
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { ...bearer(KEYS.tenantA), "content-type": "application/json" }, body: JSON.stringify(body({ stream: true })), signal: ac2.signal });
    const reader = res.body?.getReader();
    await reader?.read();
    ac2.abort();
    await waitFor(() => [...big1.requests, ...big2.requests].filter((r) => r.aborted).length === 2);
    expect([...big1.requests, ...big2.requests].filter((r) => r.finished).length).toBe(0);
  } finally {
    big1.chunkDelayMs = big2.chunkDelayMs = 0;
    big1.words = big2.words = 8;
  }
});

test("requests containing PII never reach an external model", async () => {
  const piiGuard: Guardrails = {
    async checkInput(messages): Promise<InputGuardrailResult> {
      const pii = JSON.stringify(messages).includes("555-0134");
      return { action: pii ? "redact" : "allow", messages: pii ? messages.map((m) => ({ ...m, content: "[PHONE]" })) : messages, containsPii: pii, findings: [] };
    },
    async checkOutput(text) {
      return { action: "allow", text, findings: [] };
    },
    streamGuard() {
      return { push: async () => undefined, end: async () => ({ action: "allow" as const, text: "", findings: [] }) };
    },
    async checkRetrieved() {
      return { dropped: [], findings: [] };
    },
  };
  const cfg = testConfig(
    { big: [big1.url], small: [small.url] },
    {
      models: {
        "llama-3-70b": { upstreamModel: "llama", upstreams: [big1.url], tokenizer: "mistral" },
        "mistral-7b": { upstreamModel: "mistral", upstreams: [small.url], tokenizer: "mistral" },
        "gpt-4o": { upstreamModel: "gpt-4o", upstreams: [external.url], tokenizer: "mistral", external: true, apiKeyEnv: "TEST_EXTERNAL_KEY", fallbacks: ["llama-3-70b"] },
      },
      routing: { auto: { externalModel: "gpt-4o", externalThreshold: 0 } },
    },
  );
  const g = await startGateway(cfg, redis.url, { guardrails: piiGuard, env: { TEST_EXTERNAL_KEY: "sk-external-secret" } });
  try {
    expect((await chat({ model: "auto", messages: [{ role: "user", content: "no personal data" }] }, g)).status).toBe(200);
    expect(external.requests.length).toBe(1);
    expect(external.requests[0]?.headers.authorization).toBe("Bearer sk-external-secret");
    const auto = await chat({ model: "auto", messages: [{ role: "user", content: "call me at 415-555-0134" }] }, g);
    expect(auto.status).toBe(200);
    expect(external.requests.length).toBe(1);
    expect(small.requests.at(-1)?.body.messages).toEqual([{ role: "user", content: "[PHONE]" }]);
    const explicit = await chat({ model: "gpt-4o", messages: [{ role: "user", content: "call me at 415-555-0134" }] }, g);
    expect(explicit.status).toBe(200);
    expect(explicit.json.model).toBe("llama-3-70b");
    expect(external.requests.length).toBe(1);
  } finally {
    await g.close();
  }
});

async function waitFor(check: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 20));
  }
}
