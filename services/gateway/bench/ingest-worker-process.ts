/**
 * One ingestion worker for the RAG benchmark: shard `index` of `count` of an endless synthetic corpus (Markdown
 * documents of ~12 chunks, ids doc-<n>, kept by the same hash of the id the Job uses), through BulkIngester to the
 * TEI and Qdrant stand-ins. Warms up, prints "ready", waits for "go" on stdin, ingests until `seconds` have passed
 * (then finishes what is in flight), and prints one JSON line: chunks, documents, wall and CPU time.
 *   npx tsx services/gateway/bench/ingest-worker-process.ts '{"tei":URL,"qdrant":URL,"collection":C,"index":0,"count":1,"seconds":12}'
 */
import { createInterface } from "node:readline";
import { BulkIngester } from "../src/rag/bulk-ingest";
import { ragConfigSchema } from "../src/rag/config";
import type { SourceItem } from "../src/rag/document-source";
import { shardOf } from "../src/rag/shard";
import { QdrantStore } from "../src/upstreams/qdrant-store";
import { TeiClient } from "../src/upstreams/tei-client";
import { syntheticDocument } from "./ingest-corpus";

interface Args {
  tei: string;
  qdrant: string;
  collection: string;
  index: number;
  count: number;
  seconds: number;
}

async function* corpus(index: number, count: number, until: () => boolean, start = 0): AsyncGenerator<SourceItem> {
  for (let n = start; !until(); n++) {
    const id = `doc-${n}`;
    if (shardOf(id, count) !== index) continue;
    yield { kind: "document", document: { ...syntheticDocument(n), origin: `${id}.md` } };
  }
}

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? "{}") as Args;
  const config = ragConfigSchema.parse({ enabled: true });
  const embedder = new TeiClient({ url: args.tei, timeoutMs: 60_000, connections: 8 });
  const store = new QdrantStore({ url: args.qdrant, timeoutMs: 60_000 });
  const ingester = new BulkIngester({ store, embedder, config });
  let warm = 0;
  await ingester.run(`${args.collection}-warmup`, corpus(args.index, args.count, () => warm++ >= 40 * args.count, 10_000_000));
  process.stdout.write("ready\n");
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  await lines.next();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = t0 + args.seconds * 1000;
  const report = await ingester.run(args.collection, corpus(args.index, args.count, () => performance.now() >= deadline));
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await embedder.close();
  process.stdout.write(`${JSON.stringify({ chunks: report.chunks, documents: report.ingested, failed: report.failed, firstFailure: report.failures[0]?.message, wallMs, cpuMs: (cpu.user + cpu.system) / 1000, embedRequests: report.embedRequests, upsertRequests: report.upsertRequests })}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
