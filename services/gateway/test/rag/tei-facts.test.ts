/**
 * The outside facts the ingestion benchmark and the README's sizing rest on (bench/data/tei-ingest-facts.json), held
 * to what they are checked against: the TEI stand-in serves TEI's real defaults (router/src/main.rs at the tag the
 * file names), the platform's TEI settings are the construct's, and the sizing arithmetic.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { request } from "undici";
import { ingestSizing, publishedTeiTokensPerSecond } from "../../bench/ingest-sizing";
import facts from "../../bench/data/tei-ingest-facts.json";
import { TeiStandin } from "../support/tei-standin";

const SOURCE = /^[A-Za-z0-9_.-]+\/[A-Za-z0-9_.-]+@[A-Za-z0-9_.-]+:[^\s]+$/;

it("names each outside fact's repository, tag and path, and the commit of that tag", () => {
  for (const f of [facts.teiDefaults, facts.publishedThroughput]) {
    expect(f.source).toMatch(SOURCE);
    expect(f.commit).toMatch(/^[0-9a-f]{40}$/);
  }
  expect(facts.teiDefaults.source).toBe("huggingface/text-embeddings-inference@v1.8.3:router/src/main.rs");
});

it("the TEI stand-in's /info defaults are TEI's", async () => {
  const tei = await TeiStandin.start();
  try {
    const info = (await (await request(`${tei.url}/info`)).body.json()) as { max_client_batch_size: number; max_batch_tokens: number; max_concurrent_requests: number };
    expect(info).toMatchObject({ max_client_batch_size: facts.teiDefaults.maxClientBatchSize, max_batch_tokens: facts.teiDefaults.maxBatchTokens, max_concurrent_requests: facts.teiDefaults.maxConcurrentRequests });
  } finally {
    await tei.stop();
  }
});

it("the platform's TEI settings are those of constructs/text-embeddings.ts", () => {
  const construct = readFileSync(join(__dirname, "..", "..", "..", "..", "constructs", "text-embeddings.ts"), "utf8");
  expect(construct).toContain(`maxClientBatchSize: ${facts.platformTei.maxClientBatchSize}, maxBatchTokens: ${facts.platformTei.maxBatchTokens}`);
  expect(construct).toContain(`embedder: "${facts.platformTei.model}"`);
  expect(facts.publishedThroughput.model).toBe(facts.platformTei.model);
});

it("sizes workers and TEI replicas for a corpus in a time budget", () => {
  expect(publishedTeiTokensPerSecond(facts.publishedThroughput)).toBeCloseTo(62_100, 6);
  const s = ingestSizing({ documents: 10_000_000, chunksPerDocument: 12, seconds: 1800, perWorkerChunksPerSecond: 1000, teiTokensPerSecond: 62_100, teiTokensPerChunk: 300 });
  expect(s.chunksPerSecond).toBeCloseTo(66_666.67, 1);
  expect(s.workers).toBe(67);
  expect(s.teiReplicas).toBe(Math.ceil((66_666.67 * 300) / 62_100));
  expect(() => ingestSizing({ documents: 1, chunksPerDocument: 12, seconds: 0, perWorkerChunksPerSecond: 1, teiTokensPerSecond: 1, teiTokensPerChunk: 1 })).toThrow("seconds must be a positive number, got 0");
});
