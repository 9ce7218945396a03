/**
 * End to end over the RAG routes: ingest a small corpus through POST /v1/collections/:name/documents, ask through
 * POST /v1/rag/query, and check the answer cites the right source; streaming; no-context; re-ingest; delete;
 * access groups; spans and metrics. TEI, Qdrant and the model are loopback stand-ins validating the real specs.
 */
import { auth, corpus, startHarness, type Harness } from "./support/harness";
import { chunkPointId } from "../../src/rag/point-id";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  const res = await h.call({ method: "POST", url: "/v1/collections/handbook/documents", headers: auth("admin"), payload: { documents: corpus } });
  expect(res.json()).toMatchObject({ failed: [] });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  expect(h.qdrant.violations).toEqual([]);
  expect(h.embedTei.violations).toEqual([]);
  expect(h.rerankTei.violations).toEqual([]);
  expect(h.model.violations).toEqual([]);
});

interface QueryResponse {
  answer: string;
  sources: Array<{ n: number; id: string; source: string; title: string; score: number; rerank_score: number | null }>;
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number };
  degraded: boolean;
}

async function ask(who: string, payload: Record<string, unknown>): Promise<{ status: number; body: QueryResponse & { error?: { code: string; message: string } } }> {
  const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth(who as "admin"), payload: { collection: "handbook", ...payload } });
  return { status: res.statusCode, body: res.json() };
}

describe("ingestion", () => {
  it("creates the collection with the documented settings and payload indexes", () => {
    const create = h.qdrant.requests.find((r) => r.method === "PUT" && r.path === "/collections/handbook");
    expect(create?.body).toEqual({ vectors: { size: 1024, distance: "Cosine" }, hnsw_config: { m: 16, ef_construct: 200 }, replication_factor: 1, write_consistency_factor: 1 });
    const indexes = h.qdrant.collections.get("handbook")?.indexes;
    expect(indexes?.get("doc_id")).toBe("keyword");
    expect(indexes?.get("groups")).toBe("keyword");
    expect(indexes?.get("source")).toBe("keyword");
  });

  it("stores chunks with document id, title, source, position, groups and deterministic ids", () => {
    const points = h.qdrant.points("handbook").filter((p) => p.payload.doc_id === "handbook:vacation");
    expect(points.length).toBeGreaterThanOrEqual(1);
    const first = points.find((p) => p.payload.chunk_index === 0);
    expect(first?.id).toBe(chunkPointId("handbook:vacation", 0));
    expect(first?.payload).toMatchObject({ title: "Vacation policy", source: "handbook/vacation.md", groups: ["staff"], chunk_index: 0, start: 0 });
    expect(typeof (first?.payload.token_counts as Record<string, number>).llama3).toBe("number");
  });

  it("embeds in batches no larger than TEI's max_client_batch_size", () => {
    for (const call of h.embedTei.calls("/embed")) expect(((call.body as { inputs: string[] }).inputs).length).toBeLessThanOrEqual(8);
    expect(h.embedTei.calls("/info").length).toBeGreaterThanOrEqual(1);
  });

  it("counts ingested chunks in rag_ingested_chunks_total", async () => {
    const text = await h.registry.metrics();
    expect(text).toMatch(new RegExp(`rag_ingested_chunks_total\\{collection="handbook"\\} ${h.qdrant.points("handbook").length}`));
  });
});

describe("query", () => {
  it("answers from the right document and cites it", async () => {
    const { status, body } = await ask("staff", { query: "How many days of paid vacation do employees get per year?" });
    expect(status).toBe(200);
    expect(body.answer).toContain("25 days of paid vacation");
    expect(body.answer).toContain("[1]");
    expect(body.sources[0]).toMatchObject({ n: 1, id: "handbook:vacation", source: "handbook/vacation.md", title: "Vacation policy" });
    expect(body.sources[0]?.rerank_score).toBeGreaterThanOrEqual(0.7);
    expect(body.degraded).toBe(false);
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    // The model saw the numbered source and the bge instruction was used for the query embedding only.
    const prompt = h.model.requests.at(-1)?.messages[0]?.content ?? "";
    expect(prompt).toContain("[Document 1] (Source: handbook/vacation.md — Vacation policy)");
    const queryEmbed = h.embedTei.calls("/embed").at(-1)?.body as { inputs: string[] };
    expect(queryEmbed.inputs).toEqual(["Represent this sentence for searching relevant passages: How many days of paid vacation do employees get per year?"]);
  });

  it("sends the candidates to /rerank with truncation, in batches of the reranker's size", async () => {
    const before = h.rerankTei.calls("/rerank").length;
    await ask("admin", { query: "refund annual plans purchase", candidates: 40, score_threshold: 0 });
    const calls = h.rerankTei.calls("/rerank").slice(before);
    expect(calls.length).toBeGreaterThanOrEqual(1);
    for (const c of calls) expect(c.body).toMatchObject({ truncate: true });
  });

  it("streams sources, deltas and usage as server-sent events", async () => {
    const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth("support"), payload: { collection: "handbook", query: "Can customers on annual plans get a full refund?", stream: true } });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/text\/event-stream/);
    const events = res.body
      .split("\n\n")
      .filter((l) => l.startsWith("data: ") && l !== "data: [DONE]")
      .map((l) => JSON.parse(l.slice(6)) as { type: string; content?: string; sources?: Array<{ id: string }>; usage?: { total_tokens: number } });
    expect(events[0]?.type).toBe("sources");
    expect(events[0]?.sources?.[0]?.id).toBe("support:refunds");
    const answer = events.filter((e) => e.type === "delta").map((e) => e.content).join("");
    expect(answer).toContain("full refund within 30 days");
    expect(events.at(-1)).toMatchObject({ type: "done" });
    expect(events.at(-1)?.usage?.total_tokens).toBeGreaterThan(0);
    expect(res.body.trimEnd().endsWith("data: [DONE]")).toBe(true);
  });

  it("says so, cites nothing and does not call the model when nothing passes the threshold", async () => {
    const calls = h.model.requests.length;
    const { status, body } = await ask("staff", { query: "What is the airspeed velocity of an unladen swallow?" });
    expect(status).toBe(200);
    expect(body.sources).toEqual([]);
    expect(body.answer).toMatch(/could not find any information relevant/);
    expect(h.model.requests.length).toBe(calls);
  });

  it("records the trace rag_query > retrieve_documents, rerank_documents, llm_generation", async () => {
    h.spans.reset();
    await ask("staff", { query: "How many days of paid vacation do employees get per year?" });
    const spans = h.spans.getFinishedSpans();
    const root = spans.find((s) => s.name === "rag_query");
    expect(root).toBeDefined();
    const children = spans.filter((s) => s.parentSpanContext?.spanId === root?.spanContext().spanId).map((s) => s.name);
    expect(children).toEqual(["retrieve_documents", "rerank_documents", "llm_generation"]);
  });

  it("exports the rag_* metrics", async () => {
    const text = await h.registry.metrics();
    for (const name of ["rag_query_duration_seconds_count", "rag_stage_duration_seconds_count", "rag_documents_retrieved_count_count", "rag_vector_search_duration_seconds_count"]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/rag_stage_duration_seconds_count\{stage="rerank"\} [1-9]/);
    expect(text).toMatch(/rag_stage_duration_seconds_count\{stage="generate"\} [1-9]/);
  });

  it("applies the caller's filters on top of the groups", async () => {
    const all = await ask("admin", { query: "policy", score_threshold: 0, filters: { tags: ["billing"] } });
    expect(all.status).toBe(200);
    expect(all.body.sources.map((s) => s.id)).toEqual(["support:refunds"]);
  });
});

describe("access groups", () => {
  const secret = { query: "When does the acquisition of Contoso close and for how much?", score_threshold: 0 };

  it("never retrieves a document outside the caller's groups", async () => {
    const before = h.model.requests.length;
    const { body } = await ask("staff", secret);
    expect(body.sources.map((s) => s.id)).not.toContain("exec:falcon");
    // The question names Contoso; the document's content (the price) must appear nowhere.
    for (const r of h.model.requests.slice(before)) expect(JSON.stringify(r.messages)).not.toContain("40 million");
    expect(JSON.stringify(body)).not.toContain("40 million");
  });

  it("retrieves it for a member of its group", async () => {
    const { body } = await ask("exec", secret);
    expect(body.sources[0]?.id).toBe("exec:falcon");
    expect(body.answer).toContain("40 million dollars");
  });

  it("cannot be widened by a groups filter", async () => {
    const { body } = await ask("staff", { ...secret, filters: { groups: ["executives"] } });
    expect(body.sources).toEqual([]);
  });

  it("gives a caller with no groups nothing, without searching", async () => {
    const searches = h.qdrant.requests.filter((r) => r.path.endsWith("/points/query")).length;
    const { status, body } = await ask("nobody", { query: "vacation days", score_threshold: 0 });
    expect(status).toBe(200);
    expect(body.sources).toEqual([]);
    expect(h.qdrant.requests.filter((r) => r.path.endsWith("/points/query")).length).toBe(searches);
  });
});

describe("re-ingest and delete", () => {
  const long = {
    id: "doc:grow",
    text: Array.from({ length: 40 }, (_, i) => `Paragraph ${i} talks about topic number ${i} in some detail with several words to fill the space.`).join("\n\n"),
    metadata: { groups: ["staff"], source: "grow.md" },
  };

  it("is idempotent and removes chunks the document no longer has", async () => {
    const post = (doc: unknown) => h.call({ method: "POST", url: "/v1/collections/reingest/documents", headers: auth("writer"), payload: { documents: [doc] } });
    expect((await post(long)).statusCode).toBe(200);
    const first = h.qdrant.points("reingest").map((p) => `${String(p.id)}:${String(p.payload.text)}`).sort();
    expect(first.length).toBeGreaterThan(1);
    expect((await post(long)).statusCode).toBe(200);
    expect(h.qdrant.points("reingest").map((p) => `${String(p.id)}:${String(p.payload.text)}`).sort()).toEqual(first);
    const short = { ...long, text: "Now a single short paragraph." };
    expect((await post(short)).statusCode).toBe(200);
    const after = h.qdrant.points("reingest");
    expect(after).toHaveLength(1);
    expect(after[0]?.payload.text).toBe("Now a single short paragraph.");
  });

  it("delete removes every chunk of the document and only that document", async () => {
    const other = { id: "doc:other", text: "Another document entirely.", metadata: { groups: ["staff"] } };
    await h.call({ method: "POST", url: "/v1/collections/reingest/documents", headers: auth("writer"), payload: { documents: [long, other] } });
    const chunks = h.qdrant.points("reingest").filter((p) => p.payload.doc_id === "doc:grow").length;
    expect(chunks).toBeGreaterThan(1);
    const res = await h.call({ method: "DELETE", url: "/v1/collections/reingest/documents/doc:grow", headers: auth("writer") });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ collection: "reingest", id: "doc:grow", deleted: chunks });
    expect(h.qdrant.points("reingest").filter((p) => p.payload.doc_id === "doc:grow")).toEqual([]);
    expect(h.qdrant.points("reingest").map((p) => p.payload.doc_id)).toEqual(["doc:other"]);
    const again = await h.call({ method: "DELETE", url: "/v1/collections/reingest/documents/doc:grow", headers: auth("writer") });
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe("document_not_found");
  });
});
