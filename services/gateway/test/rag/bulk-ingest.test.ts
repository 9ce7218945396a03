/**
 * Bulk ingestion (the CLI's and the Job's path) against the TEI and Qdrant stand-ins: requests sized to TEI's limits,
 * multi-document upserts overlapping the embedding, bad input reported by id and skipped without aborting the shard,
 * a retried shard writing the same point ids (nothing twice), and shards partitioning the documents exactly.
 */
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { BulkIngester, embedCost, type BulkReport } from "../../src/rag/bulk-ingest";
import { ragConfigSchema } from "../../src/rag/config";
import { shardSource, type SourceItem } from "../../src/rag/document-source";
import { chunkPointId } from "../../src/rag/point-id";
import { shardOf } from "../../src/rag/shard";
import { getTokenizer } from "../../src/tokens/tokenizer";
import { QdrantStore, type VectorStore } from "../../src/upstreams/qdrant-store";
import { TeiClient } from "../../src/upstreams/tei-client";
import { QdrantStandin } from "../support/qdrant-standin";
import { TeiStandin } from "../support/tei-standin";

const config = ragConfigSchema.parse({ enabled: true, chunking: { maxTokens: 64, overlapTokens: 8 } });
let tei: TeiStandin;
let qdrant: QdrantStandin;
let embedder: TeiClient;
let store: QdrantStore;
let dir: string;

const words = "policy refund employees vacation deploy pipeline customer invoice contract security incident backup region latency quota release".split(" ");
function text(seed: number, n: number): string {
  return Array.from({ length: n }, (_, i) => words[(seed * 7 + i * 13) % words.length]).join(" ") + ".";
}

beforeAll(async () => {
  [tei, qdrant] = await Promise.all([TeiStandin.start({ maxClientBatchSize: 8, maxBatchTokens: 300 }), QdrantStandin.start()]);
  embedder = new TeiClient({ url: tei.url });
  store = new QdrantStore({ url: qdrant.url });
  dir = mkdtempSync(join(tmpdir(), "rag-bulk-"));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await embedder.close();
  await Promise.all([tei.stop(), qdrant.stop()]);
});
afterEach(() => {
  expect(tei.violations).toEqual([]);
  expect(qdrant.violations).toEqual([]);
});

async function* documents(n: number, paragraphs = 6): AsyncGenerator<SourceItem> {
  for (let d = 0; d < n; d++) yield { kind: "document", document: { id: `doc-${d}`, text: Array.from({ length: paragraphs }, (_, p) => text(d + p, 40)).join("\n\n"), metadata: { groups: ["staff"], title: `Doc ${d}`, source: `doc-${d}.md` }, origin: `doc-${d}.md` } };
}

function ingester(over: Partial<ConstructorParameters<typeof BulkIngester>[0]> = {}): BulkIngester {
  return new BulkIngester({ store, embedder, config, upsertBatchPoints: 20, ...over });
}

it("packs TEI requests to max_client_batch_size and max_batch_tokens, and upserts many documents per request while embedding goes on", async () => {
  tei.requests.length = 0;
  qdrant.requests.length = 0;
  const report = await ingester().run("bulk-batching", documents(30));
  expect(report).toMatchObject({ ingested: 30, failed: 0, retryable: false });
  const stored = qdrant.points("bulk-batching");
  expect(stored).toHaveLength(report.chunks);

  const embeds = tei.calls("/embed").map((r) => (r.body as { inputs: string[] }).inputs);
  expect(embeds.length).toBe(report.embedRequests);
  const tokensOf = new Map(stored.map((p) => [p.payload.text as string, (p.payload.token_counts as { llama3: number }).llama3]));
  for (const inputs of embeds) {
    expect(inputs.length).toBeLessThanOrEqual(8);
    expect(inputs.reduce((s, t) => s + embedCost(tokensOf.get(t) ?? Number.NaN, 512), 0)).toBeLessThanOrEqual(300);
  }
  // Full requests: at most one request per document boundary falls short, not one per chunk.
  expect(embeds.length).toBeLessThan(report.chunks / 2);

  const upserts = qdrant.requests.filter((r) => r.method === "PUT" && r.path === "/collections/bulk-batching/points");
  expect(upserts.length).toBe(report.upsertRequests);
  expect(upserts.length).toBeLessThan(30);
  expect(Math.max(...upserts.map((u) => new Set((u.body as { points: { payload: { doc_id: string } }[] }).points.map((p) => p.payload.doc_id)).size))).toBeGreaterThan(1);
  // The token counts stored with each chunk are the tokenizers' own (the chunker's count reused, not recounted wrongly).
  const llama3 = getTokenizer("llama3");
  for (const p of stored.slice(0, 20)) expect(p.payload.token_counts).toEqual({ llama3: llama3.count(p.payload.text as string) });
  // Every point's id is the deterministic id of its document and chunk.
  for (const p of stored) expect(String(p.id)).toBe(chunkPointId(p.payload.doc_id as string, p.payload.chunk_index as number));
});

it("overlaps upserts with embedding: an upsert completes before the last TEI request is sent", async () => {
  const events: string[] = [];
  const recordingStore: VectorStore = {
    collectionExists: (c) => store.collectionExists(c),
    ensureCollection: (c, s) => store.ensureCollection(c, s),
    upsert: async (c, points) => {
      await store.upsert(c, points);
      events.push("upserted");
    },
    deleteWhere: (c, f) => store.deleteWhere(c, f),
    search: (c, v, l, f) => store.search(c, v, l, f),
    count: (c, f) => store.count(c, f),
  };
  const recordingEmbedder = { info: () => embedder.info(), embed: (t: readonly string[]) => (events.push("embed"), embedder.embed(t)) };
  await new BulkIngester({ store: recordingStore, embedder: recordingEmbedder, config, upsertBatchPoints: 10 }).run("bulk-pipelined", documents(20));
  expect(events.indexOf("upserted")).toBeGreaterThan(-1);
  expect(events.indexOf("upserted")).toBeLessThan(events.lastIndexOf("embed"));
});

describe("bad input is reported by id and skipped; the shard goes on", () => {
  it("unreadable, oversized, not UTF-8, invalid and duplicate documents", async () => {
    const docs = join(dir, "bad");
    mkdirSync(docs);
    writeFileSync(join(docs, "good-1.md"), `# Good one\n\n${text(1, 60)}`);
    writeFileSync(join(docs, "good-2.txt"), text(2, 60));
    writeFileSync(join(docs, "huge.md"), `# Huge\n\n${"word ".repeat(2000)}`);
    writeFileSync(join(docs, "latin1.txt"), Buffer.from([0x43, 0x61, 0x66, 0xe9]));
    writeFileSync(join(docs, "removed.md"), "# Removed before it was read");
    symlinkSync("/proc/self/mem", join(docs, "io-error.txt")); // stat says a regular file; reading it fails with EIO
    writeFileSync(
      join(docs, "lines.jsonl"),
      [
        JSON.stringify({ id: "line-ok", text: text(3, 50), groups: ["staff"] }),
        JSON.stringify({ id: "line-huge", text: "x".repeat(5000), groups: ["staff"] }),
        JSON.stringify({ id: "line-nogroups", text: "no groups at all", groups: [] }),
        JSON.stringify({ id: "good-1-dup", text: text(4, 30) }),
        JSON.stringify({ id: "line-ok", text: "the same id again" }),
      ].join("\n"),
    );
    const source = await shardSource([docs], { groups: ["staff"], maxBytes: 4096, base: dir });
    unlinkSync(join(docs, "removed.md"));
    const report = await ingester().run("bulk-bad", source.items());
    const byId = new Map(report.failures.map((f) => [f.id, f]));
    expect(byId.get("bad:huge.md")).toMatchObject({ code: "document_too_large", origin: "bad/huge.md" });
    expect(byId.get("bad:huge.md")?.message).toMatch(/file has \d+ bytes; the limit is 4096/);
    expect(byId.get("bad:removed.md")).toMatchObject({ code: "unreadable", message: expect.stringMatching(/cannot be read: no such file/) as unknown });
    expect(byId.get("bad:io-error.txt")).toMatchObject({ code: "unreadable", message: expect.stringMatching(/cannot be read/) as unknown });
    expect(byId.get("bad:latin1.txt")).toMatchObject({ code: "invalid_encoding" });
    expect(byId.get("line-huge")).toMatchObject({ code: "document_too_large", origin: "bad/lines.jsonl:2" });
    expect(byId.get("line-nogroups")).toMatchObject({ code: "invalid_document", message: expect.stringContaining("metadata.groups") as unknown });
    expect(report.failures.filter((f) => f.id === "line-ok")).toEqual([expect.objectContaining({ code: "duplicate_document_id", origin: "bad/lines.jsonl:5" })]);
    expect(report).toMatchObject({ ingested: 4, failed: 7, retryable: false });
    const storedIds = new Set(qdrant.points("bulk-bad").map((p) => p.payload.doc_id));
    expect([...storedIds].sort()).toEqual(["bad:good-1.md", "bad:good-2.txt", "good-1-dup", "line-ok"]);
    // The first "line-ok" was stored, not the duplicate.
    expect(qdrant.points("bulk-bad").find((p) => p.payload.doc_id === "line-ok")?.payload.text).not.toContain("same id again");
  });

  it("a document over the character limit and a TEI failure fail only their own documents", async () => {
    const small = ragConfigSchema.parse({ enabled: true, chunking: { maxTokens: 64, overlapTokens: 8 }, ingest: { maxDocumentChars: 1000 } });
    async function* items(): AsyncGenerator<SourceItem> {
      yield* documents(3, 2);
      yield { kind: "document", document: { id: "too-long", text: "a ".repeat(600), metadata: { groups: ["staff"], title: "t", source: "s" }, origin: "too-long.md" } };
    }
    const report = await new BulkIngester({ store, embedder, config: small }).run("bulk-limit", items());
    expect(report.failures).toEqual([expect.objectContaining({ id: "too-long", code: "document_too_large" })]);
    expect(report.ingested).toBe(3);

    let calls = 0;
    const flaky = { info: () => embedder.info(), embed: async (t: readonly string[]) => (++calls === 2 ? Promise.reject(new Error("TEI answered 503")) : embedder.embed(t)) };
    const r2 = await new BulkIngester({ store, embedder: flaky, config, embedConcurrency: 1 }).run("bulk-flaky", documents(10));
    expect(r2.retryable).toBe(true);
    expect(r2.failed).toBeGreaterThan(0);
    expect(r2.failed).toBeLessThan(10);
    expect(r2.ingested + r2.failed).toBe(10);
    for (const f of r2.failures) expect(f).toMatchObject({ code: "embedding_failed", message: expect.stringContaining("TEI answered 503") as unknown });
    const storedDocs = new Set(qdrant.points("bulk-flaky").map((p) => p.payload.doc_id));
    for (const f of r2.failures) expect(storedDocs.has(f.id)).toBe(false);
  });
});

describe("a retried shard writes nothing twice", () => {
  it("after upserts failed midway, the rerun stores every document with the same point ids as a clean run", async () => {
    const clean = await ingester().run("bulk-clean", documents(25));
    const cleanIds = qdrant.points("bulk-clean").map((p) => String(p.id)).sort();
    expect(cleanIds).toHaveLength(clean.chunks);

    let upserts = 0;
    const failing: VectorStore = {
      collectionExists: (c) => store.collectionExists(c),
      ensureCollection: (c, s) => store.ensureCollection(c, s),
      upsert: async (c, points) => {
        if (++upserts >= 3) throw new (await import("../../src/upstreams/qdrant-store")).StoreError("unavailable", "Qdrant is unavailable: answered 503");
        return store.upsert(c, points);
      },
      deleteWhere: (c, f) => store.deleteWhere(c, f),
      search: (c, v, l, f) => store.search(c, v, l, f),
      count: (c, f) => store.count(c, f),
    };
    const first: BulkReport = await new BulkIngester({ store: failing, embedder, config, upsertBatchPoints: 20 }).run("bulk-retry", documents(25));
    expect(first.retryable).toBe(true);
    expect(first.ingested).toBeGreaterThan(0);
    expect(first.ingested).toBeLessThan(25);
    const afterFirst = new Map(qdrant.points("bulk-retry").map((p) => [String(p.id), p.payload.doc_id]));

    const writes: string[] = [];
    const counting: VectorStore = { ...failing, upsert: async (c, points) => (writes.push(...points.map((p) => p.id)), store.upsert(c, points)) };
    const second = await new BulkIngester({ store: counting, embedder, config, upsertBatchPoints: 20 }).run("bulk-retry", documents(25));
    expect(second).toMatchObject({ ingested: 25, failed: 0 });
    const ids = qdrant.points("bulk-retry").map((p) => String(p.id)).sort();
    expect(ids).toEqual(cleanIds);
    expect(new Set(writes).size).toBe(writes.length); // within the rerun, no point written twice
    for (const id of afterFirst.keys()) expect(ids).toContain(id); // the first attempt's points were overwritten in place
  });
});

describe("shards", () => {
  it("shardOf is deterministic and in range", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), fc.integer({ min: 1, max: 5000 }), (id, n) => {
        const s = shardOf(id, n);
        expect(Number.isInteger(s) && s >= 0 && s < n).toBe(true);
        expect(shardOf(id, n)).toBe(s);
      }),
    );
  });

  it("spreads ids evenly (every shard within 20 % of the mean over 8,000 ids)", () => {
    const counts = new Array<number>(8).fill(0);
    for (let i = 0; i < 8000; i++) { const s = shardOf(`docs:handbook:page-${i}.md`, 8); counts[s] = (counts[s] ?? 0) + 1; }
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(200);
  });

  it("the shards of a folder partition its documents and its problems exactly", async () => {
    const docs = join(dir, "sharded");
    mkdirSync(docs);
    for (let i = 0; i < 12; i++) writeFileSync(join(docs, `page-${i}.md`), `# Page ${i}\n\n${text(i, 20)}`);
    writeFileSync(join(docs, "bad.txt"), Buffer.from([0xff, 0xfe, 0x00]));
    writeFileSync(join(docs, "rows.jsonl"), Array.from({ length: 9 }, (_, i) => JSON.stringify({ id: `row-${i}`, text: text(i, 10) })).join("\n") + "\n{broken");
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 7 }), async (n) => {
        const seen: string[] = [];
        for (let index = 0; index < n; index++) {
          const source = await shardSource([docs], { groups: ["g"], shard: { index, count: n }, base: dir });
          for await (const item of source.items()) seen.push(item.kind === "document" ? item.document.id : `error:${item.error.origin}`);
        }
        expect(seen.sort()).toEqual([...Array.from({ length: 12 }, (_, i) => `sharded:page-${i}.md`), ...Array.from({ length: 9 }, (_, i) => `row-${i}`), "error:sharded/bad.txt", "error:sharded/rows.jsonl:10"].sort());
      }),
      { numRuns: 7 },
    );
  });
});

it("workers starting together on a missing collection all ingest (the losers of the create race use the winner's)", async () => {
  const reports = await Promise.all([0, 1, 2, 3].map(async (w) => {
    async function* mine(): AsyncGenerator<SourceItem> {
      for await (const item of documents(8, 2)) if (item.kind === "document" && shardOf(item.document.id, 4) === w) yield item;
    }
    return ingester().run("bulk-race", mine());
  }));
  expect(reports.filter((r) => r.created)).toHaveLength(1);
  expect(reports.reduce((s, r) => s + r.ingested, 0)).toBe(8);
  expect(new Set(qdrant.points("bulk-race").map((p) => p.payload.doc_id)).size).toBe(8);
});

it("stores every configured token count, the chunker's and the others'", async () => {
  const both = ragConfigSchema.parse({ enabled: true, chunking: { maxTokens: 64, overlapTokens: 8, countTokenizers: ["llama3", "mistral"] } });
  await new BulkIngester({ store, embedder, config: both }).run("bulk-counts", documents(2, 2));
  const [llama3, mistral] = [getTokenizer("llama3"), getTokenizer("mistral")];
  const points = qdrant.points("bulk-counts");
  expect(points.length).toBeGreaterThan(0);
  for (const p of points) expect(p.payload.token_counts).toEqual({ llama3: llama3.count(p.payload.text as string), mistral: mistral.count(p.payload.text as string) });
});

it("a fault in the ingester itself (not a document's failure) is thrown after the work in flight settles, never left unhandled", async () => {
  const broken = { info: () => embedder.info(), embed: async (t: readonly string[]) => (await embedder.embed(t)).map(() => null as unknown as number[]) };
  // Vectors of the wrong shape are a document failure (embedding_mismatch), not a fault:
  const r = await new BulkIngester({ store, embedder: broken, config }).run("bulk-fault", documents(2, 2));
  expect(r.failures.map((f) => f.code)).toEqual(["embedding_mismatch", "embedding_mismatch"]);
  // A throw from the ingester's own code inside an upsert task (here: a token counter) is a fault: run() rejects with it.
  const cfg = ragConfigSchema.parse({ enabled: true, chunking: { maxTokens: 64, overlapTokens: 8, countTokenizers: ["llama3", "mistral"] } });
  const ing = new BulkIngester({ store, embedder, config: cfg });
  (ing as unknown as { countTokenizers: unknown[] }).countTokenizers = [{ name: "mistral", count: () => { throw new Error("tokenizer bug"); } }];
  await expect(ing.run("bulk-fault-2", documents(2, 2))).rejects.toThrow("tokenizer bug");
});
