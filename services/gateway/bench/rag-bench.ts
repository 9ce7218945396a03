/**
 * RAG benchmark (not a test): the pipeline's own work and ingestion throughput.
 *
 * 1. Query: RagPipeline.retrieve() for 100 candidates with the upstreams answering instantly from memory
 *    (precomputed Qdrant hits with ~350-token chunks, precomputed rerank scores), so what is timed is everything
 *    but waiting on TEI, Qdrant and the model: validation, filter, hit mapping, rerank merge and sort, threshold,
 *    context under the token budget (real tokenizer for the question and headers), prompt. Target: p99 < 5 ms.
 * 2. Ingestion: 1, 2 and 4 worker processes (bench/ingest-worker-process.ts, each one shard of an endless corpus of
 *    12-chunk Markdown documents, BulkIngester: TEI requests packed to TEI's default max_client_batch_size and
 *    max_batch_tokens, pipelined multi-document upserts) against the TEI and Qdrant stand-ins, each in a process of
 *    its own and validating every request against the OpenAPI documents. Each measurement times >= `--seconds`
 *    (default 12) of ingestion; rounds interleave the worker counts; the table has the median of the rounds.
 *
 *   npx tsx services/gateway/bench/rag-bench.ts [--seconds 12] [--rounds 3] [--no-write] [--note "text for the entry"]
 * Prints a table and appends it to bench/RESULTS.md (repository root) under "RAG".
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { createInterface, type Interface } from "node:readline";
import { cpus, loadavg, totalmem } from "node:os";
import { resolve } from "node:path";
import type { Principal } from "../src/contracts";
import { ragConfigSchema } from "../src/rag/config";
import { RagPipeline } from "../src/rag/pipeline";
import { getTokenizer } from "../src/tokens/tokenizer";
import type { QdrantFilter, ScoredHit, VectorStore } from "../src/upstreams/qdrant-store";
import facts from "./data/tei-ingest-facts.json";
import { ingestSizing, publishedTeiTokensPerSecond } from "./ingest-sizing";
import { appendToSection } from "./results-file";

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

/** A child process speaking one JSON (or plain) line per answer. */
class LineProcess {
  private readonly lines: AsyncIterator<string>;
  private readonly rl: Interface;
  constructor(readonly proc: ChildProcess) {
    this.rl = createInterface({ input: proc.stdout as NodeJS.ReadableStream });
    this.lines = this.rl[Symbol.asyncIterator]();
  }
  static spawn(script: string, args: string[]): LineProcess {
    return new LineProcess(spawn(process.execPath, ["--import", "tsx", resolve(__dirname, script), ...args], { stdio: ["pipe", "pipe", "inherit"] }));
  }
  async next(): Promise<string> {
    const r = await this.lines.next();
    if (r.done) throw new Error(`process ${this.proc.pid} ended without answering`);
    return r.value;
  }
  async ask<T>(command: string): Promise<T> {
    this.proc.stdin?.write(`${command}\n`);
    return JSON.parse(await this.next()) as T;
  }
  stop(): void {
    this.rl.close();
    this.proc.kill("SIGTERM");
  }
}

interface StandinStats {
  cpuMs: number;
  violations: number;
  requests: number;
  points: number;
}

interface WorkerResult {
  chunks: number;
  documents: number;
  failed: number;
  firstFailure?: string;
  wallMs: number;
  cpuMs: number;
  embedRequests: number;
  upsertRequests: number;
}

export interface IngestMeasurement {
  readonly workers: number;
  readonly chunks: number;
  readonly seconds: number;
  readonly chunksPerSecond: number;
  readonly perWorkerChunksPerSecond: number;
  readonly workerCpuMsPerChunk: number;
  readonly teiCpuMsPerChunk: number;
  readonly qdrantCpuMsPerChunk: number;
  readonly chunksPerEmbedRequest: number;
  readonly chunksPerUpsert: number;
  /** CPU the workers and the stand-ins got, in cores (their CPU time over the wall time). */
  readonly coresUsed: number;
}

async function measureIngest(workers: number, tei: LineProcess, teiUrl: string, qdrant: LineProcess, qdrantUrl: string, seconds: number, round: number): Promise<IngestMeasurement> {
  await qdrant.ask("reset");
  const procs = Array.from({ length: workers }, (_, index) =>
    LineProcess.spawn("ingest-worker-process.ts", [JSON.stringify({ tei: teiUrl, qdrant: qdrantUrl, collection: `bench-${workers}-${round}`, index, count: workers, seconds })]),
  );
  try {
    for (const p of procs) if ((await p.next()) !== "ready") throw new Error("worker did not get ready");
    const [t0, q0] = [await tei.ask<StandinStats>("stats"), await qdrant.ask<StandinStats>("stats")];
    for (const p of procs) p.proc.stdin?.write("go\n");
    const results = await Promise.all(procs.map(async (p) => JSON.parse(await p.next()) as WorkerResult));
    const [t1, q1] = [await tei.ask<StandinStats>("stats"), await qdrant.ask<StandinStats>("stats")];
    const failed = results.reduce((s, r) => s + r.failed, 0);
    if (failed > 0) throw new Error(`${failed} document(s) failed during the measurement: ${results.find((r) => r.firstFailure)?.firstFailure ?? ""}`);
    if (t1.violations + q1.violations > 0) throw new Error(`stand-ins saw ${t1.violations + q1.violations} OpenAPI violation(s)`);
    const chunks = results.reduce((s, r) => s + r.chunks, 0);
    if (q1.points < chunks) throw new Error(`Qdrant stand-in holds ${q1.points} points for ${chunks} chunks reported stored`);
    const wall = Math.max(...results.map((r) => r.wallMs)) / 1000;
    return {
      workers,
      chunks,
      seconds: wall,
      chunksPerSecond: chunks / wall,
      perWorkerChunksPerSecond: chunks / wall / workers,
      workerCpuMsPerChunk: results.reduce((s, r) => s + r.cpuMs, 0) / chunks,
      teiCpuMsPerChunk: (t1.cpuMs - t0.cpuMs) / chunks,
      qdrantCpuMsPerChunk: (q1.cpuMs - q0.cpuMs) / chunks,
      chunksPerEmbedRequest: chunks / results.reduce((s, r) => s + r.embedRequests, 0),
      chunksPerUpsert: chunks / results.reduce((s, r) => s + r.upsertRequests, 0),
      coresUsed: (results.reduce((s, r) => s + r.cpuMs, 0) + (t1.cpuMs - t0.cpuMs) + (q1.cpuMs - q0.cpuMs)) / 1000 / wall,
    };
  } finally {
    for (const p of procs) p.stop();
  }
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

async function benchIngest(seconds: number, rounds: number): Promise<Map<number, IngestMeasurement[]>> {
  const tei = LineProcess.spawn("ingest-standin-process.ts", ["tei"]);
  const qdrant = LineProcess.spawn("ingest-standin-process.ts", ["qdrant"]);
  try {
    const [teiUrl, qdrantUrl] = [await tei.next(), await qdrant.next()];
    const out = new Map<number, IngestMeasurement[]>();
    for (let round = 0; round < rounds; round++) {
      for (const workers of [1, 2, 4]) {
        const m = await measureIngest(workers, tei, teiUrl, qdrant, qdrantUrl, seconds, round);
        console.error(`round ${round + 1}/${rounds}, ${workers} worker(s): ${m.chunks} chunks in ${m.seconds.toFixed(1)} s, ${m.chunksPerSecond.toFixed(0)} chunks/s (${m.perWorkerChunksPerSecond.toFixed(0)} per worker)`);
        out.set(workers, [...(out.get(workers) ?? []), m]);
      }
    }
    return out;
  } finally {
    tei.stop();
    qdrant.stop();
  }
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(name);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!(Number.isFinite(v) && v > 0)) throw new Error(`${name} expects a positive number`);
  return v;
}

async function main(): Promise<void> {
  const seconds = arg("--seconds", 12);
  const noteAt = process.argv.indexOf("--note");
  const note = noteAt >= 0 ? (process.argv[noteAt + 1] ?? "") : "";
  const rounds = Math.round(arg("--rounds", 3));
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  const q = await benchQuery();
  const ing = await benchIngest(seconds, rounds);
  const machine = `${cpus().length} cores (${(cpus()[0]?.model ?? "unknown").trim()}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB memory, Node ${process.version}, load average before the run ${load}, after ${loadavg().map((l) => l.toFixed(2)).join(" ")}`;
  const rows = [...ing.entries()].map(([workers, ms]) => {
    const med = (f: (m: IngestMeasurement) => number): number => median(ms.map(f));
    const rates = ms.map((m) => m.chunksPerSecond);
    return `| ${workers} | ${med((m) => m.chunksPerSecond).toFixed(0)} (${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)}) | ${med((m) => m.perWorkerChunksPerSecond).toFixed(0)} | ${med((m) => m.seconds).toFixed(1)} | ${med((m) => m.chunks).toFixed(0)} | ${med((m) => m.workerCpuMsPerChunk).toFixed(3)} | ${med((m) => m.teiCpuMsPerChunk).toFixed(3)} | ${med((m) => m.qdrantCpuMsPerChunk).toFixed(3)} | ${med((m) => m.chunksPerEmbedRequest).toFixed(1)} | ${med((m) => m.chunksPerUpsert).toFixed(1)} | ${med((m) => m.coresUsed).toFixed(2)} |`;
  });
  const one = ing.get(1) ?? [];
  const perWorker = median(one.map((m) => m.perWorkerChunksPerSecond));
  const perCpu = 1000 / median(one.map((m) => m.workerCpuMsPerChunk));
  const teiTps = publishedTeiTokensPerSecond(facts.publishedThroughput);
  const sizing = (rate: number, tokens: number) => ingestSizing({ documents: 10_000_000, chunksPerDocument: 12, seconds: 1800, perWorkerChunksPerSecond: rate, teiTokensPerSecond: teiTps, teiTokensPerChunk: tokens });
  const s = sizing(perWorker, 300);
  const sCpu = sizing(perCpu, 450);
  const table = [
    "| measurement | value | target | met |",
    "| --- | ---: | --- | --- |",
    `| query pipeline p50, 100 candidates (ms) | ${q.p50.toFixed(3)} |  |  |`,
    `| query pipeline p99, 100 candidates (ms) | ${q.p99.toFixed(3)} | < 5 ms | ${q.p99 < 5 ? "yes" : "no"} |`,
    `| query pipeline mean (ms, ${q.runs} runs) | ${q.mean.toFixed(3)} |  |  |`,
    "",
    `Ingestion, median of ${rounds} interleaved rounds of >= ${seconds} s each (range of the total in brackets); TEI stand-in at TEI's defaults (max_client_batch_size ${facts.teiDefaults.maxClientBatchSize}, max_batch_tokens ${facts.teiDefaults.maxBatchTokens}); 12-chunk documents of ~300 Llama 3 tokens per chunk:`,
    "",
    "| workers | chunks/s total | chunks/s per worker | s | chunks | worker CPU ms/chunk | TEI stand-in CPU ms/chunk | Qdrant stand-in CPU ms/chunk | chunks per /embed | chunks per upsert | cores used |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...rows,
    "",
    `Sizing for 10M documents x 12 chunks in 30 min (${s.chunksPerSecond.toFixed(0)} chunks/s): at the measured 1-worker rate (${perWorker.toFixed(0)} chunks/s) ${s.workers} workers; at one worker per core (${perCpu.toFixed(0)} chunks per CPU-second) ${sCpu.workers} workers. TEI at the published ${teiTps.toFixed(0)} tokens/s per L4 (${facts.publishedThroughput.source}): ${s.teiReplicas} replicas at 300 TEI tokens per chunk, ${sCpu.teiReplicas} at 450.`,
  ].join("\n");
  console.log(`Machine: ${machine}\n\n${table}`);
  if (process.argv.includes("--no-write")) return;
  const results = resolve(__dirname, "..", "..", "..", "bench", "RESULTS.md");
  const stamp = new Date().toISOString().slice(0, 16).replace("T", " ");
  const intro = "Measured by `npx tsx services/gateway/bench/rag-bench.ts` (`make bench-rag`): the RAG pipeline's own work per query (upstreams answering instantly from memory: everything but waiting on TEI, Qdrant and the model) and ingestion throughput of 1, 2 and 4 worker processes against the TEI and Qdrant stand-ins.";
  const doc = existsSync(results) ? readFileSync(results, "utf8") : "# Benchmark results\n";
  writeFileSync(results, appendToSection(doc, "RAG", intro, `### ${stamp} UTC\n\nMachine: ${machine}.${note ? ` ${note}` : ""}\n\n${table}\n`));
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
