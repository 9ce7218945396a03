/**
 * Bad input gets a 4xx with an OpenAI-style body naming the field, never a 5xx and never a hung connection,
 * including for random and mutated bodies (fast-check).
 */
import fc from "fast-check";
import { request as httpRequest } from "node:http";
import type { OpenAIStandin } from "../support/openai-standin";
import { startGatewayStack, type GatewayStack } from "../support/gateway-stack";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

let upstream: OpenAIStandin;
let gw: TestGateway;
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack({ server: { bodyLimitBytes: 64 * 1024 } });
  ({ upstream, gw } = stack);
});

afterAll(async () => stack.stop());

afterEach(() => expect(upstream.violations).toEqual([]));

const post = (body: string, headers: Record<string, string> = { "content-type": "application/json" }) =>
  gw.request("POST", "/v1/chat/completions", { headers: { ...bearer(KEYS.tenantA), ...headers }, body });

const cases: Array<[string, string, number, string, string | null]> = [
  ["malformed JSON", "{\"model\": ", 400, "invalid_json", null],
  ["a JSON array", "[1,2]", 400, "invalid_request_error", null],
  ["model missing", JSON.stringify({ messages: [{ role: "user", content: "x" }] }), 400, "invalid_request_error", "model"],
  ["model not a string", JSON.stringify({ model: 7, messages: [{ role: "user", content: "x" }] }), 400, "invalid_request_error", "model"],
  ["messages empty", JSON.stringify({ model: "mistral-7b", messages: [] }), 400, "invalid_request_error", "messages"],
  ["messages not an array", JSON.stringify({ model: "mistral-7b", messages: "hi" }), 400, "invalid_request_error", "messages"],
  ["invalid role", JSON.stringify({ model: "mistral-7b", messages: [{ role: "wizard", content: "x" }] }), 400, "invalid_request_error", "messages[0].role"],
  ["content of the wrong type", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: 42 }] }), 400, "invalid_request_error", "messages[0].content"],
  ["content missing", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user" }] }), 400, "invalid_request_error", "messages[0].content"],
  ["an empty stop list", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], stop: [] }), 400, "invalid_request_error", "stop"],
  ["temperature out of range", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], temperature: 9 }), 400, "invalid_request_error", "temperature"],
  ["stream not a boolean", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], stream: "yes" }), 400, "invalid_request_error", "stream"],
  ["n not an integer", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], n: 1.5 }), 400, "invalid_request_error", "n"],
  ["rag without a collection", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], rag: {} }), 400, "invalid_request_error", "rag.collection"],
  ["rag when RAG is not enabled", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x" }], rag: { collection: "docs" } }), 400, "rag_not_enabled", "rag"],
  ["unknown model", JSON.stringify({ model: "gpt-17", messages: [{ role: "user", content: "x" }] }), 404, "model_not_found", "model"],
  ["an embedding model for chat", JSON.stringify({ model: "no-such-embedder", messages: [{ role: "user", content: "x" }] }), 404, "model_not_found", "model"],
  ["a body over the limit", JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x".repeat(70 * 1024) }] }), 413, "request_too_large", null],
];

test.each(cases)("%s", async (_name, body, status, code, param) => {
  const res = await post(body);
  expect(res.status).toBe(status);
  expect(res.json.error).toMatchObject({ code, param });
  expect(typeof res.json.error?.message).toBe("string");
  expect(res.json.error?.type).toBe(status === 404 ? "not_found_error" : "invalid_request_error");
});

test("wrong content type → 415; unknown route → 404; wrong method → 404", async () => {
  const res = await post("model=x", { "content-type": "application/x-www-form-urlencoded" });
  expect(res.status).toBe(415);
  expect(res.json.error?.code).toBe("unsupported_media_type");
  expect((await gw.request("GET", "/v1/nothing", { headers: bearer(KEYS.tenantA) })).json.error?.code).toBe("unknown_route");
  expect((await gw.request("DELETE", "/v1/chat/completions", { headers: bearer(KEYS.tenantA) })).status).toBe(404);
});

test("a body that stops half-way does not hang the server", async () => {
  const url = new URL(gw.url);
  const status = await new Promise<number | string>((resolve) => {
    const req = httpRequest({ host: url.hostname, port: url.port, method: "POST", path: "/v1/chat/completions", headers: { ...bearer(KEYS.tenantA), "content-type": "application/json", "content-length": "100" } }, (res) => resolve(res.statusCode ?? 0));
    req.on("error", () => resolve("closed"));
    req.write("{\"model\":");
    setTimeout(() => req.destroy(), 100);
  });
  expect(["closed", 400]).toContain(status);
  expect((await gw.request("GET", "/healthz")).status).toBe(200);
});

const validBody = { model: "mistral-7b", messages: [{ role: "user", content: "hello" }], temperature: 0.5, max_tokens: 16 };
const jsonValue = fc.jsonValue({ maxDepth: 3 });

test("random bodies never produce a 5xx", async () => {
  await fc.assert(
    fc.asyncProperty(fc.oneof(fc.string(), jsonValue.map((v) => JSON.stringify(v))), async (body) => {
      const res = await post(body);
      expect(res.status).toBeLessThan(500);
      expect(res.json.error?.message ?? res.json.object).toBeDefined();
    }),
    { numRuns: 60 },
  );
});

test("mutated valid bodies never produce a 5xx", async () => {
  const keys = ["model", "messages", "temperature", "max_tokens", "stream", "top_p", "n", "stop", "rag", "messages.0", "messages.0.role", "messages.0.content", "tools", "response_format"];
  await fc.assert(
    fc.asyncProperty(fc.array(fc.tuple(fc.constantFrom(...keys), fc.oneof(jsonValue, fc.constant(undefined))), { minLength: 1, maxLength: 3 }), async (mutations) => {
      const body = structuredClone(validBody) as Record<string, unknown>;
      for (const [path, value] of mutations) {
        const parts = path.split(".");
        let node: Record<string, unknown> = body;
        for (const p of parts.slice(0, -1)) {
          const next = node[p];
          if (next === null || typeof next !== "object") break;
          node = next as Record<string, unknown>;
        }
        node[parts[parts.length - 1] as string] = value;
      }
      const res = await post(JSON.stringify(body));
      expect(res.status).toBeLessThan(500);
    }),
    { numRuns: 80 },
  );
});

describe("deeply nested JSON (server.maxJsonDepth, 64 by default)", () => {
  // Bodies are built as text: the test's own JSON.stringify would overflow on them too.
  /** `levels` nested objects {"a":{"a":...}} around `inner`, as JSON text. */
  const nest = (levels: number, inner = "1", open = '{"a":', close = "}"): string => `${open.repeat(levels)}${inner}${close.repeat(levels)}`;
  const DEEP = "\"<deep>\"";
  /** The JSON text of `body` with the string "<deep>" replaced by `text`. */
  const withDeep = (body: unknown, text = nest(5_000)): string => JSON.stringify(body).replace(DEEP, text);
  const chat = (extra: Record<string, unknown>) => ({ model: "mistral-7b", messages: [{ role: "user", content: "hi" }], ...extra });
  const fields: Array<[string, string, string, string]> = [
    ["an extra field", "/v1/chat/completions", withDeep(chat({ vendor_extension: "<deep>" })), "vendor_extension.a.a.a.a.a"],
    ["a content part", "/v1/chat/completions", withDeep({ model: "mistral-7b", messages: [{ role: "user", content: [{ type: "text", text: "hi", extra: "<deep>" }] }] }), "messages[0].content[0].extra.a"],
    ["tool parameters", "/v1/chat/completions", withDeep(chat({ tools: [{ type: "function", function: { name: "f", parameters: "<deep>" } }] })), "tools[0].function.parameters.a.a"],
    ["a json_schema", "/v1/chat/completions", withDeep(chat({ response_format: { type: "json_schema", json_schema: { name: "s", schema: "<deep>" } } })), "response_format.json_schema.schema.a.a.a"],
    ["an embeddings extra field", "/v1/embeddings", withDeep({ model: "bge-large", input: "hi", extra: "<deep>" }), "extra.a.a.a.a.a"],
    ["a top-level array", "/v1/chat/completions", nest(5_000, "0", "[", "]"), "[0][0][0][0][0][0]"],
  ];

  test.each(fields)("in %s: 400 json_too_deep naming the field, not a 500", async (_name, path, body, param) => {
    const res = await gw.request("POST", path, { headers: { ...bearer(KEYS.tenantA), "content-type": "application/json" }, body });
    expect(res.status).toBe(400);
    expect(res.json.error).toMatchObject({ type: "invalid_request_error", code: "json_too_deep", param });
    expect(res.json.error?.message).toContain("deeper than 64 levels");
  });

  test("nesting up to the limit is accepted (tool parameters reach the model), one more level is not", async () => {
    const before = upstream.requests.length;
    const tools = (levels: number) => withDeep(chat({ tools: [{ type: "function", function: { name: "f", parameters: "<deep>" } }] }), nest(levels, '{"type":"object"}'));
    // The body, tools, tools[0] and function are 4 levels; parameters, 58 more objects and {"type":"object"} make 64.
    const res = await post(tools(59));
    expect(res.status).toBe(200);
    expect(upstream.requests.length).toBe(before + 1);
    const over = await post(tools(60));
    expect(over.status).toBe(400);
    expect(over.json.error?.code).toBe("json_too_deep");
  });

  test("a property: any body deeper than the limit is a 400, never a 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 64, max: 6_000 }), fc.constantFrom(["[", "]"], ['{"k":', "}"]), async (levels, [open, close]) => {
        const res = await post(withDeep(chat({ extra: "<deep>" }), nest(levels, "0", open, close)));
        expect(res.status).toBe(400);
        expect(res.json.error?.code).toBe("json_too_deep");
      }),
      { numRuns: 25 },
    );
  });
});
