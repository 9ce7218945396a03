/**
 * Redacting streams end to end: the real gateway (buildApp, auth, limits, real Redis) with the default
 * guardrails, an OpenAI stand-in streaming a fixed answer in small pieces, and the official `openai` SDK over a
 * real socket. Redact-type PII split across upstream chunks reaches the client as `<TYPE>` placeholders only,
 * the streamed text equals the non-streamed redacted answer, an SSN still ends the stream before any of its
 * digits are sent, and n > 1 keeps the block-only path. Every chunk the gateway sends is checked against the
 * OpenAI spec's CreateChatCompletionStreamResponse.
 */
import OpenAI from "openai";
import { Registry } from "prom-client";
import { createGuardrails, guardrailsConfigSchema } from "../../src/guardrails";
import { OpenAIStandin } from "../support/openai-standin";
import { OpenApiValidator } from "../support/openapi-validator";
import { TestRedis } from "../support/redis-server";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

let redis: TestRedis;
let big: OpenAIStandin;
let small: OpenAIStandin;
let gw: TestGateway;
let client: OpenAI;
const spec = OpenApiValidator.load("openai");

/** Over the 128-character hold-back, so text is released while the answer is still streaming. */
const CONTACTS =
  "Here is the contact sheet you asked for. The account manager is Alice Johnson; write to alice.johnson@example.com " +
  "or call +1 415-555-2671 during office hours. The VPN gateway is at 10.20.30.40, and the backup mail relay is " +
  "relay-7@mail.example.org. Let me know if you need anything else.";
const SECRETS = ["alice.johnson", "@example.com", "555-2671", "10.20.30.40", "relay-7", "Johnson"];

beforeAll(async () => {
  redis = await TestRedis.start();
  [big, small] = await Promise.all([OpenAIStandin.start(), OpenAIStandin.start()]);
  const guardrails = createGuardrails(guardrailsConfigSchema.parse({}), { registry: new Registry() });
  gw = await startGateway(testConfig({ big: [big.url], small: [small.url] }), redis.url, { guardrails });
  client = new OpenAI({ apiKey: KEYS.tenantA, baseURL: `${await gw.listen()}/v1`, maxRetries: 0 });
});
afterAll(async () => {
  await gw.close();
  await Promise.all([big.stop(), small.stop()]);
  await redis.stop();
});
afterEach(() => {
  expect(small.violations).toEqual([]);
  small.answer = undefined;
  small.chunkChars = undefined;
});

/** The `data:` payloads of an SSE body. */
function frames(text: string): string[] {
  return text
    .split("\n\n")
    .filter((f) => f.startsWith("data: "))
    .map((f) => f.slice(6));
}

interface RawChunk {
  choices?: Array<{ index: number; delta?: { content?: string | null } }>;
  error?: { code?: string };
}

/** A streamed request through fetch: every frame, each chunk validated against the spec. */
async function rawStream(extra: Record<string, unknown>): Promise<{ frames: string[]; chunks: RawChunk[]; text: string }> {
  const res = await gw.request("POST", "/v1/chat/completions", {
    headers: bearer(KEYS.tenantA),
    json: { model: "mistral-7b", messages: [{ role: "user", content: "the contacts, please" }], stream: true, ...extra },
  });
  expect(res.status).toBe(200);
  const all = frames(res.text);
  const chunks: RawChunk[] = [];
  for (const f of all) {
    if (f === "[DONE]") continue;
    const chunk = JSON.parse(f) as RawChunk;
    if (!chunk.error) spec.validateComponent("CreateChatCompletionStreamResponse", chunk);
    chunks.push(chunk);
  }
  return { frames: all, chunks, text: res.text };
}

test("an email split across upstream chunks reaches the SDK as <EMAIL_ADDRESS>, never the address", async () => {
  small.answer = CONTACTS;
  small.chunkChars = 4; // "alice.johnson@example.com" arrives in 7 pieces
  const ttftBefore = await gw.metric("llm_gateway_time_to_first_token_seconds", { model: "mistral-7b" });
  const stream = await client.chat.completions.create({
    model: "mistral-7b",
    messages: [{ role: "user", content: "the contacts, please" }],
    stream: true,
    stream_options: { include_usage: true },
  });
  let text = "";
  const contents: string[] = [];
  const kinds: string[] = [];
  for await (const chunk of stream) {
    spec.validateComponent("CreateChatCompletionStreamResponse", chunk);
    expect(chunk.model).toBe("mistral-7b");
    const content = chunk.choices[0]?.delta.content;
    if (content) contents.push(content);
    text += content ?? "";
    for (const secret of SECRETS) expect(text).not.toContain(secret);
    kinds.push(chunk.usage ? "usage" : chunk.choices[0]?.finish_reason ? "finish" : content ? "content" : "other");
  }
  expect(text).toContain("<EMAIL_ADDRESS>");
  expect(text).toContain("<PHONE_NUMBER>");
  expect(text).toContain("<IP_ADDRESS>");
  expect(text).toContain("<PERSON>");
  expect(text.endsWith("Let me know if you need anything else.")).toBe(true);
  // Released while streaming (not all at the end), and the finish and usage chunks come after all content.
  expect(contents.length).toBeGreaterThan(5);
  expect(kinds.slice(-2)).toEqual(["finish", "usage"]);
  expect(kinds.lastIndexOf("content")).toBeLessThan(kinds.indexOf("finish"));
  expect(await gw.metric("llm_gateway_time_to_first_token_seconds", { model: "mistral-7b" })).toBe(ttftBefore + 1);
});

test("the reassembled streamed text equals the non-streamed redacted answer", async () => {
  small.answer = CONTACTS;
  const whole = await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: "the contacts, please" }] });
  const expected = whole.choices[0]?.message.content;
  for (const secret of SECRETS) expect(expected).not.toContain(secret);
  for (const chunkChars of [1, 3, 17]) {
    small.chunkChars = chunkChars;
    const { frames: all, chunks } = await rawStream({});
    expect(all.at(-1)).toBe("[DONE]");
    const text = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
    expect(text).toBe(expected);
  }
});

test("log-probabilities, which spell the raw answer out, are withheld when guardrails are on", async () => {
  small.answer = CONTACTS;
  small.chunkChars = 5;
  const whole = await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: "the contacts, please" }], logprobs: true });
  expect(whole.choices[0]?.logprobs).toBeNull();
  const { frames: all } = await rawStream({ logprobs: true });
  expect(all.at(-1)).toBe("[DONE]");
  const body = all.join("\n");
  for (const secret of SECRETS) expect(body).not.toContain(secret);
  // The stand-in did send them: the gateway removed them.
  expect(small.requests.filter((r) => r.body.logprobs === true)).toHaveLength(2);
});

test("a streamed SSN still ends with the error event, no digit of it sent", async () => {
  small.answer = "Sure. The number on file is 536-22-1234, as requested, and nothing else is needed here.";
  small.chunkChars = 3;
  const { frames: all, chunks } = await rawStream({});
  const last = chunks.at(-1);
  expect(last?.error?.code).toBe("pii_blocked");
  expect(all).not.toContain("[DONE]");
  const sent = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
  expect(sent).not.toMatch(/[0-9]/);
});

test("the SDK sees the SSN block as an error, after no digit", async () => {
  small.answer = "Sure. The number on file is 536-22-1234, as requested.";
  small.chunkChars = 2;
  const stream = await client.chat.completions.create({ model: "mistral-7b", messages: [{ role: "user", content: "the number" }], stream: true });
  let text = "";
  await expect(
    (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    })(),
  ).rejects.toThrow();
  expect(text).not.toMatch(/[0-9]/);
});

test("n = 2 keeps the block-only path: text is forwarded unchanged per choice, an SSN still blocks", async () => {
  small.answer = "Write to bob.smith@example.com for the invoice, please.";
  small.chunkChars = 5;
  const { frames: all, chunks } = await rawStream({ n: 2 });
  expect(all.at(-1)).toBe("[DONE]");
  for (const index of [0, 1]) {
    const text = chunks.map((c) => (c.choices ?? []).filter((x) => x.index === index).map((x) => x.delta?.content ?? "").join("")).join("");
    expect(text).toBe("Write to bob.smith@example.com for the invoice, please.");
  }
  small.answer = "ok 536-22-1234 fine";
  small.chunkChars = undefined;
  const blocked = await rawStream({ n: 2 });
  expect(blocked.chunks.at(-1)?.error?.code).toBe("pii_blocked");
  expect(blocked.text).not.toContain("536-22-1234");
});

test("an upstream that drops mid-stream ends with an error event; the held-back text is never sent", async () => {
  small.answer = CONTACTS;
  small.chunkChars = 4;
  small.failNext({ kind: "drop-mid-stream" });
  const { frames: all, chunks } = await rawStream({});
  expect(all).not.toContain("[DONE]");
  expect(chunks.at(-1)?.error?.code).toBe("upstream_stream_error");
  const sent = chunks.map((c) => c.choices?.[0]?.delta?.content ?? "").join("");
  // Half the answer arrived; all but the 128-character hold-back of it may have been released.
  expect(CONTACTS.startsWith(sent)).toBe(true);
  expect(sent.length).toBeLessThanOrEqual(CONTACTS.length / 2 - 128 + 4);
});
