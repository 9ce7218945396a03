/**
 * RAG benchmark (not a test): the pipeline's own work and ingestion throughput.
 *
 * 1. Query: RagPipeline.retrieve() for 100 candidates with the upstreams answering instantly from memory
 *    (precomputed Qdrant hits with ~350-token chunks, precomputed rerank scores), so what is timed is everything
 *    but waiting on TEI, Qdrant and the model: validation, filter, hit mapping, rerank merge and sort, threshold,
 *    context under the token budget (real tokenizer for the question and headers), prompt. Target: p99 < 5 ms.
 * 2. Ingestion: IngestService.ingest() of Markdown documents with an instant embedder and store, i.e. chunking,
 *    token counting (Llama 3 and Mistral counts stored per chunk), ids and payloads, in chunks/s.
 *
 *   npx tsx services/gateway/bench/rag-bench.ts
 * Prints a table and appends it to bench/RESULTS.md (repository root) under "RAG".
 */
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import type { Principal } from "../src/contracts";
import { ragConfigSchema } from "../src/rag/config";
import { IngestService } from "../src/rag/ingest-service";
import { RagPipeline } from "../src/rag/pipeline";
import { getTokenizer } from "../src/tokens/tokenizer";
import type { QdrantFilter, ScoredHit, VectorPoint, VectorStore } from "../src/upstreams/qdrant-store";

const config = ragConfigSchema.parse({ enabled: true });
const llama3 = getTokenizer("llama3");
const mistral = getTokenizer("mistral");
const vocabulary = "policy refund employees vacation deploy pipeline customer invoice contract security incident backup region latency quota release".split(" ");

function paragraph(seed: number, words: number): string {
  const out: string[] = [];
  for (let i = 0; i < words; i++) out.push(vocabulary[(seed * 7 + i * 13) % vocabulary.length] as string);
  return out.join(" ").replace(/(\w+ \w+ \w+ \w+ \w+ \w+ \w+ \w+ \w+ \w+ \w+)/g, "$1.") + ".";
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function benchQuery(): Promise<{ p50: number; p99: number; mean: number; runs: number }> {
  const hits: ScoredHit[] = Array.from({ length: 100 }, (_, i) => {
    const text = paragraph(i, 260);
    return {
      id: `00000000-0000-5000-8000-${String(i).padStart(12, "0")}`,
      score: 0.9 - i * 0.002,
      payload: { doc_id: `doc-${i}`, chunk_index: 0, text, title: `Document ${i}`, source: `docs/doc-${i}.md`, groups: ["staff"], token_counts: { llama3: llama3.count(text), mistral: mistral.count(text) } },
    };
  });
  const ranks = hits.map((_, i) => ({ index: i, score: ((i * 37) % 100) / 100 }));
  const vector = new Array<number>(1024).fill(0.03125);
  const store: VectorStore = {
    collectionExists: async () => true,
    ensureCollection: async () => false,
    upsert: async () => undefined,
    deleteWhere: async () => undefined,
    search: async (_c: string, _v: readonly number[], limit: number, _f: QdrantFilter) => hits.slice(0, limit),
    count: async () => 0,
  };
  const pipeline = new RagPipeline({
    store,
    embedder: { embed: async () => [vector] },
    reranker: { rerank: async () => ranks },
    config,
  });
  const principal: Principal = { subject: "bench", tenant: "t", tier: "standard", groups: ["staff"], models: "*", scopes: ["rag:query"], method: "jwt" };
  const signal = new AbortController().signal;
  const run = async (): Promise<number> => {
    const started = performance.now();
    const r = await pipeline.retrieve({ collection: "bench", query: "What is the refund policy for customers with an annual contract?", model: "default", route: "rag.query" }, principal, signal);
    const ms = performance.now() - started;
    r.span.end();
    if (r.sources.length === 0) throw new Error("benchmark retrieval produced no sources");
    return ms;
  };
  for (let i = 0; i < 300; i++) await run();
  const times: number[] = [];
  for (let i = 0; i < 3000; i++) times.push(await run());
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((s, x) => s + x, 0) / times.length, runs: times.length };
}

async function benchIngest(): Promise<{ chunks: number; seconds: number; documents: number }> {
  let chunks = 0;
  const store: VectorStore = {
    collectionExists: async () => true,
    ensureCollection: async () => false,
    upsert: async (_c: string, points: readonly VectorPoint[]) => {
      chunks += points.length;
    },
    deleteWhere: async () => undefined,
    search: async () => [],
    count: async () => 0,
  };
  const vector = new Array<number>(1024).fill(0.03125);
  const service = new IngestService({ store, config, embedder: { info: async () => ({ max_client_batch_size: 32 }), embed: async (texts) => texts.map(() => vector) } });
  const documents = Array.from({ length: 60 }, (_, d) => ({
    id: `doc-${d}`,
    text: Array.from({ length: 12 }, (_, s) => `## Section ${s}\n\n${paragraph(d + s, 120)}\n\n${paragraph(d * s + 1, 90)}`).join("\n\n"),
    metadata: { groups: ["staff"], source: `docs/doc-${d}.md` },
  }));
  await service.ingest("bench", documents.slice(0, 2)); // warm-up
  chunks = 0;
  const started = performance.now();
  for (let i = 0; i < documents.length; i += 10) await service.ingest("bench", documents.slice(i, i + 10));
  return { chunks, seconds: (performance.now() - started) / 1000, documents: documents.length };
}

async function main(): Promise<void> {
  const q = await benchQuery();
  const ing = await benchIngest();
  const machine = `${cpus().length} cores (${(cpus()[0]?.model ?? "unknown").trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, load average before the run ${loadavg().map((l) => l.toFixed(2)).join(" ")}`;
  const table = [
    "| measurement | value | target | met |",
    "| --- | ---: | --- | --- |",
    `| query pipeline p50, 100 candidates (ms) | ${q.p50.toFixed(3)} |  |  |`,
    `| query pipeline p99, 100 candidates (ms) | ${q.p99.toFixed(3)} | < 5 ms | ${q.p99 < 5 ? "yes" : "no"} |`,
    `| query pipeline mean (ms, ${q.runs} runs) | ${q.mean.toFixed(3)} |  |  |`,
    `| ingestion throughput (chunks/s, ${ing.documents} documents, ${ing.chunks} chunks) | ${(ing.chunks / ing.seconds).toFixed(0)} |  |  |`,
  ].join("\n");
  console.log(`Machine: ${machine}\n\n${table}`);
  const results = resolve(__dirname, "..", "..", "..", "bench", "RESULTS.md");
  const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
  const header = existsSync(results) && readFileSync(results, "utf8").includes("\n## RAG\n") ? "" : `\n## RAG\n\nMeasured by \`npx tsx services/gateway/bench/rag-bench.ts\`: the RAG pipeline's own work per query (upstreams answering instantly from memory: everything but waiting on TEI, Qdrant and the model) and ingestion throughput (chunking, token counts, payloads; embedder and store instant).\n`;
  appendFileSync(results, `${header}\n### ${stamp} UTC\n\nMachine: ${machine}.\n\n${table}\n`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
