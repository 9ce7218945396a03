/**
 * The official `openai` SDK against the gateway over a real socket: non-streaming, streaming (with and without
 * usage), models and embeddings; plus what rides along: traceparent to the upstream, one span per stage,
 * metrics, the overhead header, and the stand-in's spec validation of everything the gateway sent.
 */
import OpenAI from "openai";
import { InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-node";
import { initTracing } from "../../src/telemetry/tracing";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { KEYS, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

const spans = new InMemorySpanExporter();
const stopTracing = initTracing("llm-gateway-test", {}, [new SimpleSpanProcessor(spans)]);

let redis: TestRedis;
let big: OpenAIStandin;
let small: OpenAIStandin;
let gw: TestGateway;
let client: OpenAI;

beforeAll(async () => {
  redis = await TestRedis.start();
  big = await OpenAIStandin.start();
  small = await OpenAIStandin.start();
  gw = await startGateway(testConfig({ big: [big.url], small: [small.url], embed: [small.url] }), redis.url);
  const url = await gw.listen();
  client = new OpenAI({ apiKey: KEYS.tenantA, baseURL: `${url}/v1`, maxRetries: 0 });
});

afterAll(async () => {
  await gw.close();
  await big.stop();
  await small.stop();
  await redis.stop();
  await stopTracing();
});

afterEach(() => {
  expect(big.violations).toEqual([]);
  expect(small.violations).toEqual([]);
});

test("non-streaming completion through the SDK, with model alias, usage and headers", async () => {
  const { data, response } = await client.chat.completions
    .create({ model: "default", messages: [{ role: "system", content: "be brief" }, { role: "user", content: "hello there" }] })
    .withResponse();
  expect(data.object).toBe("chat.completion");
  expect(data.model).toBe("llama-3-70b");
  expect(data.choices[0]?.message.content).toBe("echo(meta-llama/Meta-Llama-3-70B-Instruct): hello there w3 w4 w5 w6 w7");
  expect(data.usage?.total_tokens).toBeGreaterThan(0);
  expect(Number(response.headers.get("x-gateway-overhead-ms"))).toBeGreaterThanOrEqual(0);
  expect(response.headers.get("x-ratelimit-limit-requests")).toBe("10000");
  expect(response.headers.get("x-ratelimit-remaining-tokens")).not.toBeNull();
  expect(response.headers.get("x-cache")).toBe("bypass");
  const sent = big.requests.at(-1);
  expect(sent?.body.model).toBe("meta-llama/Meta-Llama-3-70B-Instruct");
  expect(sent?.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
});

test("streaming with include_usage: chunks in order, usage in the last chunk, [DONE] handled by the SDK", async () => {
  const stream = await client.chat.completions.create({
    model: "mistral-7b",
    messages: [{ role: "user", content: "stream me" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  let usage: OpenAI.CompletionUsage | undefined | null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks += 1;
    expect(chunk.model).toBe("mistral-7b");
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.usage) usage = chunk.usage;
  }
  expect(text).toBe("echo(mistralai/Mistral-7B-Instruct-v0.3): stream me w3 w4 w5 w6 w7");
  expect(chunks).toBeGreaterThan(8);
  expect(usage?.completion_tokens).toBe(8);
  expect(await gw.metric("llm_gateway_tokens_total", { model: "mistral-7b", type: "completion" })).toBe(8);
  expect(await gw.metric("llm_gateway_time_to_first_token_seconds", { model: "mistral-7b" })).toBe(1);
});

test("streaming without include_usage: the gateway still meters usage but sends no usage chunk", async () => {
  const before = await gw.metric("llm_gateway_tokens_total", { model: "llama-3-70b", type: "completion" });
  const stream = await client.chat.completions.create({ model: "llama-3-70b", messages: [{ role: "user", content: "x" }], stream: true });
  for await (const chunk of stream) {
    expect(chunk.usage ?? undefined).toBeUndefined();
    expect(chunk.choices.length).toBe(1);
  }
  expect(big.requests.at(-1)?.body.stream_options).toEqual({ include_usage: true });
  expect(await gw.metric("llm_gateway_tokens_total", { model: "llama-3-70b", type: "completion" })).toBe(before + 8);
});

test("GET /v1/models lists what the caller may use", async () => {
  const all = await client.models.list();
  expect(all.data.map((m) => m.id).sort()).toEqual(["auto", "bge-large", "default", "llama-3-70b", "mistral-7b"]);
  const limited = new OpenAI({ apiKey: KEYS.onlyMistral, baseURL: client.baseURL, maxRetries: 0 });
  expect((await limited.models.list()).data.map((m) => m.id)).toEqual(["mistral-7b"]);
  await expect(limited.chat.completions.create({ model: "llama-3-70b", messages: [{ role: "user", content: "x" }] })).rejects.toMatchObject({ status: 403, code: "model_not_allowed" });
});

test("GET /v1/models/{id}: the SDK's models.retrieve() for each listed model, 404 for others", async () => {
  for (const id of ["llama-3-70b", "mistral-7b", "default", "auto", "bge-large"]) {
    expect(await client.models.retrieve(id)).toEqual({ id, object: "model", created: 1_700_000_000, owned_by: "llm-platform" });
  }
  await expect(client.models.retrieve("gpt-17")).rejects.toMatchObject({ status: 404, code: "model_not_found", param: "model" });
  // What a caller may not use is as unknown to it as what does not exist.
  const limited = new OpenAI({ apiKey: KEYS.onlyMistral, baseURL: client.baseURL, maxRetries: 0 });
  expect((await limited.models.retrieve("mistral-7b")).id).toBe("mistral-7b");
  await expect(limited.models.retrieve("llama-3-70b")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  // Ids that need encoding arrive decoded; no credential is a 401.
  await expect(client.models.retrieve("org/some:model")).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  // The SDK sends "org/model" as org%2Fmodel; a client that does not encode it, or an id longer than the router's
  // parameter limit, gets the same 404 model_not_found, not unknown_route or 414.
  for (const id of ["meta-llama/Meta-Llama-3-70B-Instruct", "m".repeat(150), ""]) {
    const res = await gw.request("GET", `/v1/models/${id}`, { headers: { authorization: `Bearer ${KEYS.tenantA}` } });
    expect([id, res.status, res.json.error?.code]).toEqual([id, 404, "model_not_found"]);
  }
  const anonymous = new OpenAI({ apiKey: "", baseURL: client.baseURL, maxRetries: 0 });
  await expect(anonymous.models.retrieve("mistral-7b")).rejects.toMatchObject({ status: 401 });
});

test("embeddings go to the embedding deployment", async () => {
  const res = await client.embeddings.create({ model: "bge-large", input: ["one", "two"], encoding_format: "float" });
  expect(res.data).toHaveLength(2);
  expect(res.model).toBe("bge-large");
  expect(small.requests.at(-1)?.path).toBe("/v1/embeddings");
  expect(small.requests.at(-1)?.body.model).toBe("BAAI/bge-large-en-v1.5");
  await expect(client.embeddings.create({ model: "mistral-7b", input: "x" })).rejects.toMatchObject({ status: 404, code: "model_not_found" });
});

test("model auto picks the large model for complex prompts and the small one otherwise", async () => {
  await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: "hi, what time is it?" }] });
  expect(small.requests.at(-1)?.body.messages).toEqual([{ role: "user", content: "hi, what time is it?" }]);
  const complex = "Step by step, first derive the gradient, then prove convergence:\n1. define the loss\n2. compute\n```python\ndef f(x):\n    return x ** 2\n```\nExplain the algorithm complexity and the eigenvalue bounds.";
  const before = big.requests.length;
  await client.chat.completions.create({ model: "auto", messages: [{ role: "user", content: complex }] });
  expect(big.requests.length).toBe(before + 1);
});

test("one span per stage, all in the request's trace", async () => {
  spans.reset();
  await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: "trace me" }], temperature: 0 });
  const finished = spans.getFinishedSpans();
  const names = finished.map((s) => s.name);
  for (const stage of ["auth", "rate_limit", "route", "cache", "llm_generation"]) expect(names).toContain(stage);
  const traceIds = new Set(finished.map((s) => s.spanContext().traceId));
  expect(traceIds.size).toBe(1);
  const upstreamTrace = String(small.requests.at(-1)?.headers.traceparent).split("-")[1];
  expect(traceIds.has(upstreamTrace as string)).toBe(true);
});

test("GET /metrics exports the documented names", async () => {
  const res = await fetch(`${gw.url}/metrics`);
  const text = await res.text();
  for (const name of ["llm_gateway_requests_total", "llm_gateway_request_duration_seconds", "llm_gateway_overhead_seconds", "llm_gateway_tokens_total", "llm_gateway_cost_usd_total", "llm_gateway_upstream_requests_total", "llm_gateway_circuit_state"]) {
    expect(text).toContain(`# TYPE ${name} `);
  }
  expect(text).toMatch(/llm_gateway_requests_total\{route="chat.completions",model="llama-3-70b",status="200"\} [1-9]/);
  expect(await gw.metric("llm_gateway_cost_usd_total", { model: "llama-3-70b" })).toBeGreaterThan(0);
});

test("healthz and readyz", async () => {
  expect((await fetch(`${gw.url}/healthz`)).status).toBe(200);
  const ready = await fetch(`${gw.url}/readyz`);
  expect(ready.status).toBe(200);
  expect(await ready.json()).toMatchObject({ status: "ready", checks: { redis: "ok", "model:llama-3-70b": "ok" } });
});

test("the request id is the W3C trace id, continued from the caller's traceparent", async () => {
  spans.reset();
  const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
  await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: "continue my trace" }] }, { headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } });
  expect(String(small.requests.at(-1)?.headers.traceparent).split("-")[1]).toBe(traceId);
  expect(spans.getFinishedSpans().every((s) => s.spanContext().traceId === traceId)).toBe(true);
});
