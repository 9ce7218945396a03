/**
 * Degradation: reranker down → dense order, `degraded: true`, rag_rerank_degraded_total; Qdrant down → 503 with
 * an OpenAI-style error (query and ingest); embedder down → per-document failures, nothing written.
 */
import { auth, corpus, startHarness, type Harness } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  const res = await h.call({ method: "POST", url: "/v1/collections/kb/documents", headers: auth("admin"), payload: { documents: corpus } });
  expect(res.statusCode).toBe(200);
});
afterAll(async () => {
  await h.close();
});

const vacation = { collection: "kb", query: "How many days of paid vacation do employees get per year?", score_threshold: 0.1 };

describe("reranker down", () => {
  afterEach(() => h.rerankTei.fail("*", undefined));

  it.each([
    ["answers 503", () => h.rerankTei.fail("/rerank", 503)],
    ["is unreachable", () => void h.rerankTei.stop()],
  ])("uses dense order and says so when the reranker %s", async (_what, breakIt) => {
    breakIt();
    const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth("admin"), payload: vacation });
    await h.rerankTei.start();
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.degraded).toBe(true);
    expect(body.sources[0]).toMatchObject({ id: "handbook:vacation", rerank_score: null });
    const scores = body.sources.map((s: { score: number }) => s.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
    expect(body.answer).toContain("25 days");
  });

  it("counts degraded queries", async () => {
    const text = await h.registry.metrics();
    expect(text).toMatch(/rag_rerank_degraded_total\{collection="kb"\} 2/);
  });
});

describe("Qdrant down", () => {
  afterEach(async () => {
    await h.qdrant.start();
  });

  it("answers a query with a clear 503", async () => {
    await h.qdrant.stop();
    const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth("admin"), payload: vacation });
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ error: { message: "the vector store (Qdrant) is unavailable; retry later", type: "service_unavailable", code: "vector_store_unavailable", param: null } });
  });

  it("answers an ingest with a clear 503", async () => {
    await h.qdrant.stop();
    const res = await h.call({ method: "POST", url: "/v1/collections/kb/documents", headers: auth("admin"), payload: { documents: [corpus[0]] } });
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe("vector_store_unavailable");
  });

  it("works again once Qdrant is back", async () => {
    const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth("admin"), payload: vacation });
    expect(res.statusCode).toBe(200);
  });
});

describe("embedder down", () => {
  it("fails a query with 503", async () => {
    h.embedTei.fail("/embed", 503);
    const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth("admin"), payload: vacation });
    h.embedTei.fail("/embed", undefined);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe("embedding_unavailable");
  });

  it("reports every document as failed and writes nothing", async () => {
    const before = h.qdrant.points("kb").length;
    h.embedTei.fail("/embed", 503);
    const doc = { id: "new:doc", text: "A brand new document.", metadata: { groups: ["staff"] } };
    const res = await h.call({ method: "POST", url: "/v1/collections/kb/documents", headers: auth("admin"), payload: { documents: [doc] } });
    h.embedTei.fail("/embed", undefined);
    expect(res.statusCode).toBe(503);
    expect(res.json().failed).toEqual([{ index: 0, id: "new:doc", error: expect.objectContaining({ code: "embedding_failed" }) }]);
    expect(h.qdrant.points("kb").length).toBe(before);
  });
});
