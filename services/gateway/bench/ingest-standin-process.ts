/**
 * One ingestion stand-in (TEI or Qdrant) in its own process for the RAG benchmark, so that its CPU is not the
 * workers'. Prints its URL as the first stdout line; then reads commands on stdin, one per line, and answers one JSON
 * line each: "stats" ({ cpuMs, violations, requests, points }), "reset" (drops every collection and the record of
 * requests; answers { ok: true }). The TEI stand-in serves TEI's own defaults (bench/data/tei-ingest-facts.json).
 *   npx tsx services/gateway/bench/ingest-standin-process.ts tei|qdrant
 */
import { createInterface } from "node:readline";
import { QdrantStandin } from "../test/support/qdrant-standin";
import { TeiStandin } from "../test/support/tei-standin";
import facts from "./data/tei-ingest-facts.json";

const which = process.argv[2];
if (which !== "tei" && which !== "qdrant") {
  process.stderr.write(`ingest-standin-process: expected 'tei' or 'qdrant', got ${JSON.stringify(which)}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  const tei = which === "tei" ? await TeiStandin.start({ maxClientBatchSize: facts.teiDefaults.maxClientBatchSize, maxBatchTokens: facts.teiDefaults.maxBatchTokens }) : undefined;
  const qdrant = which === "qdrant" ? await QdrantStandin.start() : undefined;
  const server = (tei ?? qdrant) as TeiStandin | QdrantStandin;
  process.stdout.write(`${server.url}\n`);
  // The record of requests is for tests; keep the benchmark's memory flat.
  let requests = 0;
  setInterval(() => {
    requests += server.requests.length;
    server.requests.length = 0;
  }, 500).unref();
  process.on("SIGTERM", () => void server.stop().then(() => process.exit(0)));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "stats") {
      const cpu = process.cpuUsage();
      const points = qdrant ? [...qdrant.collections.values()].reduce((s, c) => s + c.points.size, 0) : 0;
      process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, violations: server.violations.length, requests: requests + server.requests.length, points })}\n`);
    } else if (line === "reset") {
      qdrant?.collections.clear();
      server.requests.length = 0;
      process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
    }
  }
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? e.stack ?? e.message : String(e)}\n`);
  process.exit(1);
});
