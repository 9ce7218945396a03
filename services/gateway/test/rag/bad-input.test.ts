/**
 * Bad input gets a clear error naming the field: empty or huge queries, unknown collections, invalid filters,
 * documents without text, duplicate ids (the good documents of the batch are still stored), missing auth/scopes.
 */
import { auth, corpus, startHarness, type Harness } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.call({ method: "POST", url: "/v1/collections/kb/documents", headers: auth("admin"), payload: { documents: corpus.slice(0, 2) } });
});
afterAll(async () => {
  await h.close();
});
afterEach(() => {
  expect(h.qdrant.violations).toEqual([]);
  expect(h.embedTei.violations).toEqual([]);
});

async function query(payload: Record<string, unknown>, who = "admin"): Promise<{ status: number; error: { code: string; message: string; param: string | null; type: string } }> {
  const res = await h.call({ method: "POST", url: "/v1/rag/query", headers: auth(who as "admin"), payload: { collection: "kb", ...payload } });
  return { status: res.statusCode, error: res.json().error };
}

describe("queries", () => {
  it.each([
    ["empty", { query: "" }, "empty_query", "query"],
    ["blank", { query: "   \n " }, "empty_query", "query"],
    ["huge (characters)", { query: "word ".repeat(2000) }, "query_too_long", "query"],
    ["huge (tokens)", { query: "ab1 ".repeat(900) }, "query_too_long", "query"],
    ["unknown filter field", { query: "refunds", filters: { color: "red" } }, "invalid_filters", "filters.color"],
    ["filter of the wrong type", { query: "refunds", filters: { source: { $ne: 1 } } }, "invalid_filters", "filters.source"],
    ["empty filter list", { query: "refunds", filters: { tags: [] } }, "invalid_filters", "filters.tags"],
    ["candidates below top_k", { query: "refunds", top_k: 10, candidates: 5 }, "invalid_candidates", "candidates"],
    ["bad collection name", { query: "refunds", collection: "../etc" }, "invalid_collection", "collection"],
  ])("rejects a %s query with 400", async (_name, payload, code, param) => {
    const { status, error } = await query(payload);
    expect(status).toBe(400);
    expect(error).toMatchObject({ code, param, type: "invalid_request_error" });
    expect(error.message).toContain(param.split(".").at(-1) as string);
  });

  it("rejects an unknown body field and a wrong type with the field named", async () => {
    const a = await query({ query: "x", topk: 3 });
    expect(a.status).toBe(400);
    expect(a.error.message).toBe("topk: unknown field");
    const b = await query({ query: "x", top_k: "ten" });
    expect(b.status).toBe(400);
    expect(b.error.param).toBe("top_k");
  });

  it("answers 404 for an unknown collection", async () => {
    const { status, error } = await query({ query: "refunds", collection: "nope" });
    expect(status).toBe(404);
    expect(error).toMatchObject({ code: "collection_not_found", param: "collection" });
    expect(error.message).toBe("collection 'nope' does not exist");
  });

  it("requires authentication and the rag:query scope", async () => {
    const anon = await h.call({ method: "POST", url: "/v1/rag/query", payload: { collection: "kb", query: "x" } });
    expect(anon.statusCode).toBe(401);
    const writer = await query({ query: "refunds" }, "writer");
    expect(writer.status).toBe(403);
    expect(writer.error.message).toContain("rag:query");
  });
});

describe("ingestion", () => {
  const good = (id: string) => ({ id, text: `Document ${id} has some text.`, metadata: { groups: ["staff"] } });

  it("stores the good documents and lists which failed and why", async () => {
    const documents = [
      good("ok-1"),
      { id: "no-text", text: "   ", metadata: { groups: ["staff"] } },
      good("dup"),
      { id: "no-groups", text: "Some text.", metadata: { groups: [] } },
      good("dup"),
      { id: "bad id/with slash", text: "x", metadata: { groups: ["staff"] } },
      "not an object",
      good("ok-2"),
    ];
    const res = await h.call({ method: "POST", url: "/v1/collections/batch/documents", headers: auth("writer"), payload: { documents } });
    expect(res.statusCode).toBe(207);
    const body = res.json();
    expect(body.ingested.map((d: { id: string }) => d.id)).toEqual(["ok-1", "ok-2"]);
    const failed = Object.fromEntries(body.failed.map((f: { index: number; error: { code: string; param: string; message: string } }) => [f.index, f.error]));
    expect(failed[1]).toMatchObject({ code: "invalid_document", param: "documents.1.text", message: "text: document has no text" });
    expect(failed[2]).toMatchObject({ code: "duplicate_document_id", message: "document id 'dup' appears more than once in this batch (items 2, 4)" });
    expect(failed[4]).toMatchObject({ code: "duplicate_document_id" });
    expect(failed[3]).toMatchObject({ code: "invalid_document", param: "documents.3.metadata.groups" });
    expect(failed[5]).toMatchObject({ code: "invalid_document", param: "documents.5.id" });
    expect(failed[6]).toMatchObject({ code: "invalid_document" });
    expect(Object.keys(failed)).toHaveLength(6);
    expect(new Set(h.qdrant.points("batch").map((p) => p.payload.doc_id))).toEqual(new Set(["ok-1", "ok-2"]));
  });

  it("answers 400 with the per-document report when nothing was valid", async () => {
    const res = await h.call({ method: "POST", url: "/v1/collections/batch/documents", headers: auth("writer"), payload: { documents: [{ id: "x", text: "" , metadata: { groups: ["a"] } }] } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error.code).toBe("invalid_document");
    expect(body.failed).toHaveLength(1);
  });

  it("rejects an empty batch, a bad collection name, and a missing scope", async () => {
    const empty = await h.call({ method: "POST", url: "/v1/collections/batch/documents", headers: auth("writer"), payload: { documents: [] } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().error.param).toBe("documents");
    const name = await h.call({ method: "POST", url: "/v1/collections/bad%20name/documents", headers: auth("writer"), payload: { documents: [good("a")] } });
    expect(name.statusCode).toBe(400);
    expect(name.json().error.code).toBe("invalid_collection");
    const reader = await h.call({ method: "POST", url: "/v1/collections/batch/documents", headers: auth("reader"), payload: { documents: [good("a")] } });
    expect(reader.statusCode).toBe(403);
  });

  it("answers 404 when deleting from an unknown collection", async () => {
    const res = await h.call({ method: "DELETE", url: "/v1/collections/missing/documents/x", headers: auth("writer") });
    expect(res.statusCode).toBe(404);
    expect(res.json().error.code).toBe("collection_not_found");
  });
});
