/**
 * Bulk ingestion from the command line, straight to TEI and Qdrant with the same clients and service the gateway
 * uses:
 *   npm run ingest -- --collection handbook --groups staff docs/ faq.jsonl
 *   npx tsx services/gateway/src/rag/ingest-cli.ts --collection NAME [options] PATH...
 * Exit status: 0 all stored, 1 something failed (each failure is listed), 2 bad usage.
 */
import { Command, InvalidArgumentError } from "commander";
import { SingleBar, Presets } from "cli-progress";
import { QdrantStore } from "../upstreams/qdrant-store";
import { TeiClient } from "../upstreams/tei-client";
import { ragConfigSchema } from "./config";
import { COLLECTION_NAME } from "./documents";
import { loadDocuments, type LoadError } from "./file-loader";
import { IngestService } from "./ingest-service";

export interface CliIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  /** Stream for the progress bar. @default process.stderr */
  readonly progress?: NodeJS.WritableStream;
  readonly env: Readonly<Record<string, string | undefined>>;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("expected a positive integer");
  return n;
}

function collectionName(v: string): string {
  if (!COLLECTION_NAME.test(v)) throw new InvalidArgumentError("expected 1-63 letters, digits, _ or - (starting with a letter or digit)");
  return v;
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
    .option("--batch <n>", "documents per ingest batch", positiveInt, 16)
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
  const opts = program.opts<{ collection: string; groups: string; qdrantUrl?: string; qdrantApiKeyEnv: string; embedderUrl?: string; batch: number; progress: boolean }>();
  const groups = opts.groups.split(",").map((g) => g.trim()).filter(Boolean);
  const config = ragConfigSchema.parse({
    enabled: true,
    qdrant: { url: opts.qdrantUrl ?? io.env.QDRANT_URL ?? "http://127.0.0.1:6333" },
    embedder: { url: opts.embedderUrl ?? io.env.TEI_EMBEDDER_URL ?? "http://127.0.0.1:8080" },
  });
  const apiKey = io.env[opts.qdrantApiKeyEnv];
  const store = new QdrantStore({ url: config.qdrant.url, ...(apiKey ? { apiKey } : {}), timeoutMs: 30_000 });
  const embedder = new TeiClient({ url: config.embedder.url, timeoutMs: 60_000 });
  const service = new IngestService({ store, embedder, config });

  const { documents, errors } = await loadDocuments(program.args, { groups });
  const failures: LoadError[] = [...errors];
  let stored = 0;
  let chunks = 0;
  const bar = opts.progress && documents.length > 0 ? new SingleBar({ stream: io.progress ?? process.stderr, format: "ingest {bar} {value}/{total} documents | {chunks} chunks | {failed} failed", hideCursor: true, noTTYOutput: true, notTTYSchedule: 2000 }, Presets.shades_classic) : undefined;
  bar?.start(documents.length, 0, { chunks: 0, failed: failures.length });
  try {
    for (let i = 0; i < documents.length; i += opts.batch) {
      const batch = documents.slice(i, i + opts.batch);
      try {
        const report = await service.ingest(opts.collection, batch.map(({ origin: _origin, ...doc }) => doc));
        for (const d of report.ingested) {
          stored++;
          chunks += d.chunks;
        }
        for (const f of report.failed) failures.push({ origin: batch[f.index]?.origin ?? String(f.id), message: f.error.message });
      } catch (e) {
        // The store could not be reached at all: every document of the batch failed.
        for (const d of batch) failures.push({ origin: d.origin, message: e instanceof Error ? e.message : String(e) });
      }
      bar?.update(Math.min(i + opts.batch, documents.length), { chunks, failed: failures.length });
    }
  } finally {
    bar?.stop();
    await embedder.close();
  }
  io.out(`Ingested ${stored} document(s) (${chunks} chunks) into '${opts.collection}'; ${failures.length} failed.`);
  for (const f of failures) io.err(`  ${f.origin}: ${f.message}`);
  return failures.length > 0 ? 1 : 0;
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
