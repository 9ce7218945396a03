/**
 * The ingest CLI as the Job's worker: shard from JOB_COMPLETION_INDEX / INGEST_SHARDS, Prometheus progress at
 * GET /metrics, the progress bar, and the exit status the Job's retry policy relies on (bad input alone: 0 with
 * --skip-bad-input; an upstream failure: 1, so the Job retries the shard).
 */
import { spawn } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { request } from "undici";
import { runIngestCli } from "../../src/rag/ingest-cli";
import { ingestJobMetrics } from "../../src/rag/job-metrics";
import { shardOf } from "../../src/rag/shard";
import { QdrantStandin } from "../support/qdrant-standin";
import { TeiStandin } from "../support/tei-standin";
import { captureCliIo } from "./support/cli-io";

let tei: TeiStandin;
let qdrant: QdrantStandin;
let dir: string;
const FILES = 16;

beforeAll(async () => {
  [tei, qdrant] = await Promise.all([TeiStandin.start(), QdrantStandin.start()]);
  dir = mkdtempSync(join(tmpdir(), "rag-job-"));
  mkdirSync(join(dir, "docs"));
  for (let i = 0; i < FILES; i++) writeFileSync(join(dir, "docs", `page-${i}.md`), `# Page ${i}\n\nThe refund policy, part ${i}, for customers and employees.`);
  writeFileSync(join(dir, "docs", "big.md"), `# Big\n\n${"too many words ".repeat(400)}`);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await Promise.all([tei.stop(), qdrant.stop()]);
});

function io(env: Record<string, string> = {}) {
  return captureCliIo({ QDRANT_URL: qdrant.url, TEI_EMBEDDER_URL: tei.url, ...env });
}

it("each Job index ingests its own shard; together they store every document once", async () => {
  const shards = 3;
  const perShard: number[] = [];
  for (let index = 0; index < shards; index++) {
    const run = io({ JOB_COMPLETION_INDEX: String(index), INGEST_SHARDS: String(shards) });
    const code = await runIngestCli(["-c", "job", "-g", "staff", "--max-document-bytes", "2000", "--skip-bad-input", join(dir, "docs")], { ...run.io });
    expect(code).toBe(0);
    const m = /Ingested (\d+) document\(s\) \(\d+ chunks\) into 'job' \(shard (\d) of 3\)/.exec(run.out.join("\n"));
    expect(m?.[2]).toBe(String(index));
    perShard.push(Number(m?.[1]));
    expect(run.progress).toContain(`ingest (shard ${index} of 3)`);
  }
  const ids = qdrant.points("job").map((p) => p.payload.doc_id as string);
  expect(new Set(ids).size).toBe(FILES);
  expect(perShard.reduce((a, b) => a + b, 0)).toBe(FILES);
  for (const id of new Set(ids)) expect(perShard[shardOf(id, shards)]).toBeGreaterThan(0);
  expect(tei.violations).toEqual([]);
  expect(qdrant.violations).toEqual([]);
});

it("bad input alone exits 1 by default and 0 with --skip-bad-input, and is listed by id", async () => {
  const strict = io();
  expect(await runIngestCli(["-c", "job2", "-g", "staff", "--no-progress", "--max-document-bytes", "2000", join(dir, "docs")], strict.io)).toBe(1);
  const lenient = io();
  expect(await runIngestCli(["-c", "job2", "-g", "staff", "--no-progress", "--max-document-bytes", "2000", "--skip-bad-input", join(dir, "docs")], lenient.io)).toBe(0);
  expect(lenient.err.join("\n")).toMatch(/big\.md: file has \d+ bytes; the limit is 2000 \(document \S*big\.md, document_too_large\)/);
  expect(lenient.out.join("\n")).toContain(`Ingested ${FILES} document(s)`);
});

it("an upstream failure exits 1 even with --skip-bad-input (the Job retries the shard)", async () => {
  tei.fail("/embed", 503);
  try {
    const run = io();
    expect(await runIngestCli(["-c", "job3", "-g", "staff", "--no-progress", "--skip-bad-input", join(dir, "docs", "page-1.md")], run.io)).toBe(1);
    expect(run.err.join("\n")).toMatch(/page-1\.md: embedding failed: .*503/);
  } finally {
    tei.fail("/embed", undefined);
  }
});

it("serves progress as Prometheus metrics while it runs", async () => {
  const run = io();
  let scraped = "";
  const code = await runIngestCli(["-c", "job4", "-g", "staff", "--no-progress", "--metrics-port", "0", "--metrics-linger", "1", "--skip-bad-input", "--shards", "2", "--shard-index", "1", join(dir, "docs")], {
    ...run.io,
    onMetrics: (port) => {
      // Scrape once the run has ended, during the linger.
      const poll = async (): Promise<void> => {
        for (let i = 0; i < 100; i++) {
          const res = await request(`http://127.0.0.1:${port}/metrics`);
          const text = await res.body.text();
          if (/rag_ingest_job_completed\{[^}]*\} 1/.test(text)) {
            scraped = text;
            return;
          }
          await new Promise((r) => setTimeout(r, 50));
        }
      };
      void poll();
    },
  });
  expect(code).toBe(0);
  const stored = new Set(qdrant.points("job4").map((p) => p.payload.doc_id)).size;
  expect(scraped).toContain(`rag_ingest_job_documents_total{collection="job4",shard="1",outcome="ingested"} ${stored}`);
  expect(scraped).toMatch(/rag_ingest_job_chunks_total\{collection="job4",shard="1"\} \d+/);
  const total = Number(/rag_ingest_job_input_bytes\{collection="job4",shard="1"\} (\d+)/.exec(scraped)?.[1]);
  expect(total).toBeGreaterThan(0);
  expect(scraped).toContain(`rag_ingest_job_read_bytes_total{collection="job4",shard="1"} ${total}`);
});

it("refuses a shard index out of range", async () => {
  const run = io({ JOB_COMPLETION_INDEX: "3", INGEST_SHARDS: "3" });
  expect(await runIngestCli(["-c", "job5", join(dir, "docs")], run.io)).toBe(2);
  expect(run.err.join("\n")).toContain("shard index 3 is invalid: expected an integer from 0 to 2");
});

it("--stage-to lays the corpus out by shard for the S3 mode; each shard's folder ingests to the same ids as the whole tree", async () => {
  writeFileSync(join(dir, "docs", "rows.jsonl"), [...Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `row-${i}`, text: `Row ${i} about invoices.`, groups: ["staff"] })), "{broken"].join("\n"));
  const out = join(dir, "staged");
  const stage = io();
  expect(await runIngestCli(["-c", "unused", "--shards", "3", "--base", dir, "--stage-to", out, join(dir, "docs")], stage.io)).toBe(1);
  expect(stage.out.join("\n")).toMatch(new RegExp(`Staged ${FILES + 1} file\\(s\\) and 6 JSON line\\(s\\) into 3 shard folder\\(s\\)`));
  expect(stage.err.join("\n")).toMatch(/docs\/rows\.jsonl:7: not valid JSON/);

  const whole = io();
  await runIngestCli(["-c", "whole", "-g", "staff", "--no-progress", "--skip-bad-input", "--max-document-bytes", "2000", "--base", dir, join(dir, "docs")], whole.io);
  for (let k = 0; k < 3; k++) {
    const run = io({ JOB_COMPLETION_INDEX: String(k), INGEST_SHARDS: "3" });
    const folder = join(out, `shard-${k}`);
    expect(await runIngestCli(["-c", "staged", "-g", "staff", "--no-progress", "--skip-bad-input", "--max-document-bytes", "2000", "--base", folder, folder], run.io)).toBe(0);
  }
  const ids = (c: string): string[] => qdrant.points(c).map((p) => String(p.id)).sort();
  expect(ids("staged")).toEqual(ids("whole"));
  expect(new Set(qdrant.points("staged").map((p) => p.payload.doc_id))).toEqual(new Set([...Array.from({ length: FILES }, (_, i) => `docs:page-${i}.md`), ...Array.from({ length: 6 }, (_, i) => `row-${i}`)]));
});

it("every metric of the worker is documented in docs/metrics.md with its labels", async () => {
  const doc = readFileSync(join(__dirname, "..", "..", "..", "..", "docs", "metrics.md"), "utf8");
  const metrics = await ingestJobMetrics().registry.getMetricsAsJSON();
  expect(metrics.length).toBe(5);
  for (const m of metrics) expect(doc).toMatch(new RegExp(`\\| \`${m.name}\` \\| ${m.type} \\| \`collection\`, \`shard\``));
});

it("a worker killed mid-shard (SIGKILL) and run again, as the Job retries an index, leaves exactly the points of a clean run", async () => {
  const corpus = join(dir, "killed");
  mkdirSync(corpus);
  const para = (i: number): string => `Section ${i}. The refund policy for customers and employees, invoices and contracts, part ${i}. `.repeat(12);
  for (let i = 0; i < 200; i++) writeFileSync(join(corpus, `doc-${i}.md`), `# Doc ${i}\n\n${Array.from({ length: 12 }, (_, s) => `## Part ${s}\n\n${para(i * 12 + s)}`).join("\n\n")}`);
  const args = ["-c", "killed", "-g", "staff", "--no-progress", "--upsert-batch", "24", "--upsert-concurrency", "1", "--embed-concurrency", "1", "--base", dir, corpus];
  const env = { ...process.env, QDRANT_URL: qdrant.url, TEI_EMBEDDER_URL: tei.url, JOB_COMPLETION_INDEX: "0", INGEST_SHARDS: "1" };
  const cli = join(__dirname, "..", "..", "src", "rag", "ingest-cli.ts");
  const child = spawn(process.execPath, ["--import", "tsx", cli, ...args], { env, stdio: "ignore" });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (_code, signal) => resolve(signal === null ? _code : -1)));
  // Kill it once some documents are stored and before all are.
  for (let i = 0; i < 600 && new Set(qdrant.points("killed").map((p) => p.payload.doc_id)).size < 2; i++) await new Promise((r) => setTimeout(r, 50));
  child.kill("SIGKILL");
  expect(await exited).toBe(-1);
  const partial = new Set(qdrant.points("killed").map((p) => String(p.id)));
  expect(partial.size).toBeGreaterThan(0);
  expect(new Set(qdrant.points("killed").map((p) => p.payload.doc_id)).size).toBeLessThan(200);

  const retry = io({ JOB_COMPLETION_INDEX: "0", INGEST_SHARDS: "1" });
  expect(await runIngestCli(args, retry.io)).toBe(0);
  const clean = io();
  expect(await runIngestCli(["-c", "killed-clean", ...args.slice(2)], clean.io)).toBe(0);
  const ids = (c: string): string[] => qdrant.points(c).map((p) => String(p.id)).sort();
  expect(ids("killed")).toEqual(ids("killed-clean"));
  for (const id of partial) expect(ids("killed")).toContain(id);
  expect(tei.violations).toEqual([]);
  expect(qdrant.violations).toEqual([]);
}, 120_000);
