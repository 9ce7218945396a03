/**
 * Bulk ingestion from the command line, straight to TEI and Qdrant with the same clients the gateway uses, and the
 * worker of the ingestion Job (charts/rag-ingest: one pod per shard, JOB_COMPLETION_INDEX of INGEST_SHARDS):
 *   npm run ingest -- --collection handbook --groups staff docs/ faq.jsonl
 *   npx tsx services/gateway/src/rag/ingest-cli.ts --collection NAME [options] PATH...
 * Exit status: 0 all stored (or, with --skip-bad-input, everything stored but bad input, which is listed), 1 something
 * failed (each failure is listed; a retry stores nothing twice), 2 bad usage.
 */
import { resolve } from "node:path";
import { Command, InvalidArgumentError } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { QdrantStore, StoreError } from "../upstreams/qdrant-store";
import { TeiClient } from "../upstreams/tei-client";
import { BulkIngester, type SkippedDocument } from "./bulk-ingest";
import { ragConfigSchema } from "./config";
import { shardSource } from "./document-source";
import { COLLECTION_NAME } from "./documents";
import { toRagError } from "./ingest-service";
import { ingestJobMetrics, serveMetrics } from "./job-metrics";
import { checkShard } from "./shard";
import { stageShards } from "./stage";

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Stream for the progress bar. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Told the metrics port once it listens (tests). */
  readonly onMetrics?: (port: number) => void | Promise<void>;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function nonNegativeInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError("expected a non-negative integer");
  return n;
}

function collectionName(v: string): string {
  if (!COLLECTION_NAME.test(v)) throw new InvalidArgumentError("expected 1-63 letters, digits, _ or - (starting with a letter or digit)");
  return v;
}

/** Errors that come from the input itself: a retry cannot fix them. */
const INPUT_CODES = new Set(["invalid_document", "document_too_large", "unreadable", "invalid_encoding", "unsupported_type", "not_found", "duplicate_document_id"]);

interface CliOptions {
  collection: string;
  groups: string;
  qdrantUrl?: string;
  qdrantApiKeyEnv: string;
  embedderUrl?: string;
  shardIndex?: number;
  shards?: number;
  embedConcurrency: number;
  upsertBatch: number;
  upsertConcurrency: number;
  maxDocumentBytes?: number;
  metricsPort?: number;
  metricsLinger: number;
  skipBadInput: boolean;
  progress: boolean;
  base?: string;
  stageTo?: string;
}

/** Runs the CLI with the given arguments (without "node script"); resolves to the exit status. */
export async function runIngestCli(argv: readonly string[], io: CliIo): Promise<number> {
  const program = new Command()
    .name("ingest")
    .description("Ingest Markdown, text, HTML and JSON-lines files into a Qdrant collection for RAG")
    .requiredOption("-c, --collection <name>", "target collection (created if missing)", collectionName)
    .option("-g, --groups <list>", "comma-separated access groups for the documents (JSON lines may set their own)", "")
    .option("--qdrant-url <url>", "Qdrant REST URL (env QDRANT_URL)")
    .option("--qdrant-api-key-env <name>", "environment variable holding the Qdrant API key", "QDRANT_API_KEY")
    .option("--embedder-url <url>", "TEI embedder URL (env TEI_EMBEDDER_URL)")
    .option("--shard-index <n>", "this worker's shard, 0-based (env JOB_COMPLETION_INDEX)", nonNegativeInt)
    .option("--shards <n>", "number of shards the documents are split into by a hash of their id (env INGEST_SHARDS)", positiveInt)
    .option("--embed-concurrency <n>", "TEI requests in flight", positiveInt, 4)
    .option("--upsert-batch <n>", "points per Qdrant upsert", positiveInt, 256)
    .option("--upsert-concurrency <n>", "Qdrant upserts in flight", positiveInt, 2)
    .option("--max-document-bytes <n>", "largest file or JSON line read (default: 4 bytes per character of the document limit)", positiveInt)
    .option("--metrics-port <port>", "serve Prometheus metrics at GET /metrics on this port while running", nonNegativeInt)
    .option("--metrics-linger <seconds>", "keep serving metrics this long after the run, for a last scrape", nonNegativeInt, 0)
    .option("--base <dir>", "document ids are file paths relative to this folder (default: the current folder)")
    .option("--stage-to <dir>", "do not ingest: copy the files into <dir>/shard-<k>/ by the shard of their id, for the Job's S3 mode (needs --shards)")
    .option("--skip-bad-input", "exit 0 when the only failures are bad input (listed, never retried)", false)
    .option("--no-progress", "no progress bar")
    .argument("<paths...>", "files or folders")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s.trimEnd()), writeErr: (s) => io.err(s.trimEnd()) });
  try {
    program.parse([...argv], { from: "user" });
  } catch (e) {
    const code = (e as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const opts = program.opts<CliOptions>();
  let shard;
  try {
    shard = checkShard({ index: opts.shardIndex ?? envInt(io.env, "JOB_COMPLETION_INDEX") ?? 0, count: opts.shards ?? envInt(io.env, "INGEST_SHARDS") ?? 1 });
  } catch (e) {
    io.err(`error: ${e instanceof Error ? e.message : String(e)} (--shard-index/JOB_COMPLETION_INDEX, --shards/INGEST_SHARDS)`);
    return 2;
  }
  const base = resolve(opts.base ?? process.cwd());
  if (opts.stageTo !== undefined) {
    const staged = await stageShards(program.args, { base, shards: shard.count, out: resolve(opts.stageTo) });
    io.out(`Staged ${staged.files} file(s) and ${staged.lines} JSON line(s) into ${shard.count} shard folder(s) under ${opts.stageTo} (${staged.perShard.join(", ")} documents); ${staged.errors.length} problem(s).`);
    for (const e of staged.errors) io.err(`  ${e.origin}: ${e.message}`);
    return staged.errors.length > 0 ? 1 : 0;
  }
  const groups = opts.groups.split(",").map((g) => g.trim()).filter(Boolean);
  const config = ragConfigSchema.parse({
    enabled: true,
    qdrant: { url: opts.qdrantUrl ?? io.env.QDRANT_URL ?? "http://127.0.0.1:6333" },
    embedder: { url: opts.embedderUrl ?? io.env.TEI_EMBEDDER_URL ?? "http://127.0.0.1:8080" },
  });
  const apiKey = io.env[opts.qdrantApiKeyEnv];
  const store = new QdrantStore({ url: config.qdrant.url, ...(apiKey ? { apiKey } : {}), timeoutMs: 30_000 });
  const embedder = new TeiClient({ url: config.embedder.url, timeoutMs: 60_000, connections: opts.embedConcurrency });
  const maxBytes = opts.maxDocumentBytes ?? 4 * config.ingest.maxDocumentChars;
  const source = await shardSource(program.args, { groups, shard, maxBytes, base });

  const labels = { collection: opts.collection, shard: String(shard.index) };
  const metrics = ingestJobMetrics();
  metrics.inputBytes.set(labels, source.totalBytes);
  metrics.completed.set(labels, 0);
  metrics.readBytes.inc(labels, 0);
  const server = opts.metricsPort !== undefined ? await serveMetrics(metrics.registry, opts.metricsPort) : undefined;
  if (server) await io.onMetrics?.(server.port);

  const where = shard.count > 1 ? ` (shard ${shard.index} of ${shard.count})` : "";
  const bar =
    opts.progress && source.totalBytes > 0
      ? new SingleBar({ stream: io.progress ?? process.stderr, format: `ingest${where} {bar} {percentage}% of ${source.files} file(s) | {ingested} documents | {chunks} chunks | {failed} failed | ETA {eta_formatted}`, hideCursor: true, noTTYOutput: true, notTTYSchedule: 10_000 }, Presets.shades_classic)
      : undefined;
  let readBytes = 0;
  let counts = { ingested: 0, chunks: 0, failed: 0 };
  bar?.start(source.totalBytes, 0, counts);
  const failures: SkippedDocument[] = [];
  let retryable = false;
  try {
    const items = source.items((bytes) => {
      readBytes += bytes;
      metrics.readBytes.inc(labels, bytes);
      bar?.update(readBytes, counts);
    });
    try {
      const report = await new BulkIngester({
        store,
        embedder,
        config,
        embedConcurrency: opts.embedConcurrency,
        upsertBatchPoints: opts.upsertBatch,
        upsertConcurrency: opts.upsertConcurrency,
        onProgress: (p, event) => {
          counts = p;
          if (event.ingested > 0) metrics.documents.inc({ ...labels, outcome: "ingested" }, event.ingested);
          if (event.failed.length > 0) metrics.documents.inc({ ...labels, outcome: "failed" }, event.failed.length);
          if (event.chunks > 0) metrics.chunks.inc(labels, event.chunks);
          bar?.update(readBytes, counts);
        },
      }).run(opts.collection, items);
      failures.push(...report.failures);
      retryable = report.retryable;
      counts = report;
    } catch (e) {
      // The store (or TEI's /info) could not be reached at all: every document of the shard failed.
      retryable = true;
      const message = e instanceof StoreError ? toRagError(e, opts.collection).message : `embedding service unavailable: ${e instanceof Error ? e.message : String(e)}`;
      for await (const item of items) {
        const s: SkippedDocument = item.kind === "error" ? { id: item.error.id ?? null, origin: item.error.origin, code: item.error.code ?? "invalid_document", message: item.error.message } : { id: item.document.id, origin: item.document.origin, code: "unavailable", message };
        failures.push(s);
      }
      metrics.documents.inc({ ...labels, outcome: "failed" }, failures.length);
    }
  } finally {
    bar?.update(readBytes, counts);
    bar?.stop();
    metrics.completed.set(labels, 1);
    await embedder.close();
    if (server) {
      if (opts.metricsLinger > 0) await new Promise((r) => setTimeout(r, opts.metricsLinger * 1000));
      await server.close();
    }
  }
  io.out(`Ingested ${counts.ingested} document(s) (${counts.chunks} chunks) into '${opts.collection}'${where}; ${failures.length} failed.`);
  for (const f of failures) io.err(`  ${f.origin}: ${f.message}${f.id ? ` (document ${f.id}, ${f.code})` : ` (${f.code})`}`);
  const onlyBadInput = !retryable && failures.every((f) => INPUT_CODES.has(f.code));
  if (failures.length === 0 || (opts.skipBadInput && onlyBadInput)) return 0;
  return 1;
}

function envInt(env: Readonly<Record<string, string | undefined>>, name: string): number | undefined {
  const v = env[name];
  if (v === undefined || v === "") return undefined;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`${name}='${v.slice(0, 20)}' is not an integer`);
  return n;
}

if (require.main === module) {
  runIngestCli(process.argv.slice(2), { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env }).then(
    (code) => process.exit(code),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : String(e));
      process.exit(1);
    },
  );
}
