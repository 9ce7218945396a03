/**
 * The RAG routes behind the gateway's real auth and limits plugins (not a test hook putting a principal on the
 * request): API keys and JWTs holding rag:ingest / rag:query reach them, credentials without the scope get the
 * core's 403 with WWW-Authenticate, none at all the core's 401, and every call is charged to requests-per-minute.
 */
import { Registry } from "prom-client";
import { ApiKeyStore, sha256Hex } from "../../src/auth/api-keys";
import { ragConfigSchema } from "../../src/rag/config";
import { ragRoutesPlugin } from "../../src/rag/routes";
import { createRagServices } from "../../src/rag/services";
import { QdrantStore } from "../../src/upstreams/qdrant-store";
import { TeiClient } from "../../src/upstreams/tei-client";
import type { RouteScope } from "../../src/config/schema";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { TeiStandin } from "../support/tei-standin";
import { QdrantStandin } from "../support/qdrant-standin";
import { JwtIssuer } from "../support/jwt-issuer";
import { bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

const KEY = {
  both: "sk-test-rag-both-00000000000000001",
  query: "sk-test-rag-query-0000000000000002",
  chat: "sk-test-rag-chat-00000000000000003",
} as const;

function keyStore(): ApiKeyStore {
  const key = (id: string, plain: string, scopes: RouteScope[]) => ({ id, sha256: sha256Hex(plain), tenant: "tenant-a", tier: "standard", scopes, models: "*" as const, groups: ["staff"] });
  return new ApiKeyStore({ keys: [key("both", KEY.both, ["rag:ingest", "rag:query"]), key("query", KEY.query, ["rag:query"]), key("chat", KEY.chat, ["chat"])] });
}

let redis: TestRedis;
let model: OpenAIStandin;
let embed: TeiStandin;
let rerank: TeiStandin;
let qdrant: QdrantStandin;
let issuer: JwtIssuer;
let gw: TestGateway;
let clients: Array<{ close(): Promise<void> }> = [];

const doc = { id: "handbook:vacation", text: "# Vacation\n\nEmployees accrue 25 days of paid vacation per year.", metadata: { groups: ["staff"], title: "Vacation", source: "handbook/vacation.md" } };

beforeAll(async () => {
  [redis, model, embed, rerank, qdrant, issuer] = await Promise.all([
    TestRedis.start(),
    OpenAIStandin.start(),
    TeiStandin.start({ kind: "embedding", maxClientBatchSize: 8 }),
    TeiStandin.start({ kind: "reranker", maxClientBatchSize: 16 }),
    QdrantStandin.start(),
    JwtIssuer.start(),
  ]);
  const config = testConfig(
    { big: [model.url], small: [model.url] },
    { auth: { jwt: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, algorithms: ["RS256"], clockToleranceSec: 5, jwksCooldownMs: 60_000 } } },
  );
  const registry = new Registry();
  const rag = ragConfigSchema.parse({ enabled: true, query: { defaultModel: "mistral-7b", scoreThreshold: 0 } });
  const embedder = new TeiClient({ url: embed.url });
  const reranker = new TeiClient({ url: rerank.url, timeoutMs: 2000 });
  const store = new QdrantStore({ url: qdrant.url, timeoutMs: 2000 });
  clients = [embedder, reranker];
  const deps = { store, embedder, reranker, config: rag, registry };
  const services = createRagServices(deps);
  gw = await startGateway(config, redis.url, { registry, apiKeys: keyStore(), plugins: [ragRoutesPlugin({ ...deps, services })] });
});

afterAll(async () => {
  await gw.close();
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([model.stop(), embed.stop(), rerank.stop(), qdrant.stop(), issuer.close(), redis.stop()]);
});

afterEach(() => {
  expect(qdrant.violations).toEqual([]);
  expect(embed.violations).toEqual([]);
  expect(model.violations).toEqual([]);
});

const jwt = (scope: string) => issuer.sign({ sub: "alice", tenant: "tenant-a", tier: "standard", scope, groups: ["staff"] });
const ingest = (headers: Record<string, string>) => gw.request("POST", "/v1/collections/handbook/documents", { headers, json: { documents: [doc] } });
const query = (headers: Record<string, string>) => gw.request("POST", "/v1/rag/query", { headers, json: { collection: "handbook", query: "How many vacation days?" } });
const remove = (headers: Record<string, string>) => gw.request("DELETE", "/v1/collections/handbook/documents/handbook%3Avacation", { headers });

describe("API keys", () => {
  test("a key with rag:ingest and rag:query ingests, queries and deletes, charged to requests-per-minute", async () => {
    const ing = await ingest(bearer(KEY.both));
    expect(ing.status).toBe(200);
    expect(ing.json).toMatchObject({ collection: "handbook", failed: [] });
    expect(ing.headers.get("x-ratelimit-limit-requests")).toBe("10000");
    const q = await query(bearer(KEY.both));
    expect(q.status).toBe(200);
    expect(q.json.sources).toEqual([expect.objectContaining({ id: "handbook:vacation" })]);
    expect(Number(q.headers.get("x-ratelimit-remaining-requests"))).toBeLessThan(Number(ing.headers.get("x-ratelimit-remaining-requests")));
    const del = await remove(bearer(KEY.both));
    expect(del.status).toBe(200);
    expect(del.json).toMatchObject({ id: "handbook:vacation" });
    expect(Number(del.headers.get("x-ratelimit-remaining-requests"))).toBe(Number(ing.headers.get("x-ratelimit-remaining-requests")) - 2);
  });

  test("a key with rag:query only may query but not ingest or delete (403 with the scope named)", async () => {
    expect((await query(bearer(KEY.query))).status).toBe(200);
    for (const res of [await ingest(bearer(KEY.query)), await remove(bearer(KEY.query))]) {
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ type: "permission_error", code: "insufficient_scope" });
      expect(res.headers.get("www-authenticate")).toContain('scope="rag:ingest"');
    }
  });

  test("a key without either scope gets 403 on every RAG route; no or a wrong credential gets 401", async () => {
    const q = await query(bearer(KEY.chat));
    expect(q.status).toBe(403);
    expect(q.headers.get("www-authenticate")).toContain('scope="rag:query"');
    for (const res of [await query({}), await ingest({}), await remove({})]) {
      expect(res.status).toBe(401);
      expect(res.json.error).toMatchObject({ type: "authentication_error", code: "missing_credentials" });
      expect(res.headers.get("www-authenticate")).toContain("Bearer");
    }
    expect((await query(bearer("sk-not-a-key-000000000000000000"))).json.error?.code).toBe("invalid_api_key");
  });
});

describe("JWTs", () => {
  test("a token with the scopes ingests and queries; one without them is refused with 403", async () => {
    const both = await jwt("rag:ingest rag:query");
    expect((await ingest(bearer(both))).status).toBe(200);
    const q = await query(bearer(both));
    expect(q.status).toBe(200);
    expect(typeof q.json.answer).toBe("string");
    const reader = await jwt("rag:query");
    expect((await query(bearer(reader))).status).toBe(200);
    const refused = await ingest(bearer(reader));
    expect(refused.status).toBe(403);
    expect(refused.json.error?.code).toBe("insufficient_scope");
    const chatOnly = await jwt("chat");
    expect((await query(bearer(chatOnly))).status).toBe(403);
    expect((await remove(bearer(chatOnly))).status).toBe(403);
  });

  test("an expired token is a 401 on the RAG routes too", async () => {
    const expired = await issuer.sign({ sub: "alice", tenant: "tenant-a", tier: "standard", scope: "rag:query" }, { expSec: -60 });
    const res = await query(bearer(expired));
    expect(res.status).toBe(401);
    expect(res.json.error?.type).toBe("authentication_error");
  });
});

describe("Fastify's own request errors on the RAG routes", () => {
  test("a collection name over the router's parameter limit is a 414 in the gateway's shape, the URL not echoed", async () => {
    const name = "c".repeat(150);
    const res = await gw.request("POST", `/v1/collections/${name}/documents?api_key=${KEY.both}`, { headers: bearer(KEY.both), json: { documents: [doc] } });
    expect(res.status).toBe(414);
    expect(res.json).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code: "path_segment_too_long", param: null } });
    expect(res.text).not.toContain(name);
    expect(res.text).not.toContain(KEY.both);
  });

  test("bad JSON, an empty JSON body, another media type and an oversized body get the core's codes", async () => {
    const json = { ...bearer(KEY.both), "content-type": "application/json" };
    const cases: Array<[string, string, Record<string, string>, string | undefined, number, string]> = [
      ["POST", "/v1/rag/query", json, "{not json", 400, "invalid_json"],
      ["POST", "/v1/collections/handbook/documents", json, "{not json", 400, "invalid_json"],
      ["DELETE", "/v1/collections/handbook/documents/x", json, undefined, 400, "invalid_json"],
      ["POST", "/v1/rag/query", { ...json, "content-type": "application/xml" }, "<q/>", 415, "unsupported_media_type"],
      ["POST", "/v1/rag/query", json, JSON.stringify({ collection: "handbook", query: "x".repeat(1_100_000) }), 413, "request_too_large"],
    ];
    for (const [method, path, headers, body, status, code] of cases) {
      const rag = await gw.request(method, path, { headers, ...(body !== undefined ? { body } : {}) });
      expect([path, rag.status, rag.json.error?.code]).toEqual([path, status, code]);
      // The same words as the core's routes use for the same fault.
      const core = await gw.request("POST", "/v1/chat/completions", { headers: { ...headers, ...bearer(KEY.chat) }, body: body ?? "" });
      if (method === "POST") expect(rag.json.error?.message).toBe(core.json.error?.message);
    }
  });
});
