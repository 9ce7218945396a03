/**
 * The guards' spans (`guardrail.<guard>`) through the real gateway with an exporter: each is a child of the
 * request's `guardrails` (input) or `guardrails.output` span, in the request's trace, and records the guard, the
 * stage and the action, never text. Before, they took the active context, which the gateway does not set, and each
 * started a trace of its own.
 */
import { InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-node";
import { initTracing } from "../../src/telemetry/tracing";
import { createGuardrails } from "../../src/guardrails";
import { guardrailsConfigSchema } from "../../src/guardrails/config";
import { OpenAIStandin } from "../support/openai-standin";
import { TestRedis } from "../support/redis-server";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

const spans = new InMemorySpanExporter();
const stopTracing = initTracing("llm-gateway-test", {}, [new SimpleSpanProcessor(spans)]);

let redis: TestRedis;
let upstream: OpenAIStandin;
let gw: TestGateway;

beforeAll(async () => {
  redis = await TestRedis.start();
  upstream = await OpenAIStandin.start({ words: 8 });
  gw = await startGateway(testConfig({ big: [upstream.url], small: [upstream.url] }), redis.url, { guardrails: createGuardrails(guardrailsConfigSchema.parse({})) });
});
afterAll(async () => {
  await gw.close();
  await upstream.stop();
  await redis.stop();
  await stopTracing();
});

const parentId = (s: ReadableSpan): string | undefined => (s as unknown as { parentSpanContext?: { spanId: string } }).parentSpanContext?.spanId ?? (s as unknown as { parentSpanId?: string }).parentSpanId;

test("every guard span is a child of the request's guardrails span, in the request's trace, and carries no text", async () => {
  spans.reset();
  const prompt = "Summarise the notes from Jane Doe (jane@example.com) in three bullet points.";
  const res = await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: { model: "mistral-7b", messages: [{ role: "user", content: prompt }] } });
  expect(res.status).toBe(200);
  const finished = spans.getFinishedSpans();
  const input = finished.find((s) => s.name === "guardrails");
  const output = finished.find((s) => s.name === "guardrails.output");
  expect(input).toBeDefined();
  expect(output).toBeDefined();
  const guards = finished.filter((s) => s.name.startsWith("guardrail."));
  const inputGuards = guards.filter((s) => s.attributes["guardrail.stage"] === "input");
  const outputGuards = guards.filter((s) => s.attributes["guardrail.stage"] === "output");
  expect(inputGuards.map((s) => s.name)).toEqual(expect.arrayContaining(["guardrail.pii", "guardrail.injection"]));
  expect(outputGuards.length).toBeGreaterThan(0);
  const traceId = input?.spanContext().traceId;
  for (const g of guards) expect(g.spanContext().traceId).toBe(traceId);
  for (const g of inputGuards) expect(parentId(g)).toBe(input?.spanContext().spanId);
  for (const g of outputGuards) expect(parentId(g)).toBe(output?.spanContext().spanId);
  for (const g of guards) {
    expect(typeof g.attributes["guardrail.action"]).toBe("string");
    expect(JSON.stringify(g.attributes)).not.toMatch(/jane|Jane|example\.com|notes/);
  }
});
