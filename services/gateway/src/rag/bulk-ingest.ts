/**
 * Bulk ingestion for the CLI and the ingestion Job: documents stream in, are validated and chunked, their chunks are
 * packed into TEI requests that fit the server's limits (`max_client_batch_size` inputs and `max_batch_tokens`
 * tokens, so one request is one forward pass), several requests in flight, and finished documents are upserted to
 * Qdrant in batches of many documents, several batches in flight, while the next chunks are being embedded.
 *
 * What stays as in IngestService (docs/decisions/0050-ingestion-writes.md): point ids are UUID v5 of
 * "<document id>#<chunk index>", so a retried worker overwrites the points it wrote before and writes nothing twice;
 * a document's points travel in one upsert request (all or nothing), then its stale chunks are pruned; a document
 * that fails before its upsert leaves the store untouched. What is new: bad input (invalid, oversized, unreadable,
 * duplicate id) is reported by id and skipped; a failed upstream call fails only the documents it carried.
 * See docs/decisions/0096-bulk-ingestion-batching.md.
 */
import type { Tokenizer } from "../tokens/tokenizer";
import { getTokenizer } from "../tokens/tokenizer";
import { StoreError, type QdrantFilter, type VectorPoint, type VectorStore } from "../upstreams/qdrant-store";
import { chunkText, type TextChunk } from "./chunking";
import type { RagConfig } from "./config";
import type { SourceItem } from "./document-source";
import { describeIssues, documentSchema, type IngestDocument } from "./documents";
import { checkCollectionName, chunkPayload, collectionSettings, storeFailure } from "./ingest-service";
import { chunkPointId } from "./point-id";

/** What bulk ingestion needs of TEI's `/info` (TeiClient's TeiInfo has these fields). */
export interface EmbedderLimits {
  readonly max_client_batch_size: number;
  readonly max_batch_tokens: number;
  readonly max_input_length: number;
}

/** The embedder (TeiClient implements it). */
export interface BulkEmbedder {
  info(signal?: AbortSignal): Promise<EmbedderLimits>;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

/** A document or problem that was not stored, by id when the id is known. */
export interface SkippedDocument {
  readonly id: string | null;
  /** "path" or "path:line". */
  readonly origin: string;
  readonly code: string;
  readonly message: string;
}

export interface BulkProgress {
  readonly ingested: number;
  readonly chunks: number;
  readonly failed: number;
}

export interface BulkReport extends BulkProgress {
  readonly collection: string;
  readonly created: boolean;
  /** Every document not stored, with why. */
  readonly failures: readonly SkippedDocument[];
  /** True when some failure came from an upstream (TEI or Qdrant) rather than from the input: a retry may store it. */
  readonly retryable: boolean;
  /** Requests sent: TEI /embed and Qdrant upserts. */
  readonly embedRequests: number;
  readonly upsertRequests: number;
}

export interface BulkIngestOptions {
  readonly store: VectorStore;
  readonly embedder: BulkEmbedder;
  readonly config: RagConfig;
  /** TEI requests in flight. @default 4 */
  readonly embedConcurrency?: number;
  /** Points per Qdrant upsert (a document is never split, so a batch may exceed it by one document). @default 256 */
  readonly upsertBatchPoints?: number;
  /** Qdrant upserts in flight. @default 2 */
  readonly upsertConcurrency?: number;
  /** Told after each upsert batch and each skipped document. */
  readonly onProgress?: (progress: BulkProgress, event: { readonly ingested: number; readonly chunks: number; readonly failed: readonly SkippedDocument[] }) => void;
  readonly signal?: AbortSignal;
}

/**
 * Upper bound of TEI tokens per chunking-tokenizer token. The chunker counts Llama 3 tokens; bge's WordPiece vocabulary
 * (30,522 entries against Llama 3's 128,256) splits English into more pieces, so a batch is sized on 1.5 x the count
 * (each input also capped at max_input_length, where TEI truncates it) plus [CLS] and [SEP].
 */
export const TEI_TOKENS_PER_CHUNK_TOKEN = 1.5;

/** TEI tokens a chunk is counted as when packing a request. */
export function embedCost(chunkTokens: number, maxInputLength: number): number {
  return Math.min(maxInputLength, Math.ceil(chunkTokens * TEI_TOKENS_PER_CHUNK_TOKEN)) + 2;
}

/** Filter for the points of these documents other than the given ones (one prune request for a whole upsert batch). */
export function staleChunksOfMany(docIds: readonly string[], keep: readonly string[]): QdrantFilter {
  return { must: [{ key: "doc_id", match: { any: [...docIds] } }], must_not: [{ has_id: [...keep] }] };
}

/**
 * Creates the collection when missing, tolerating the other workers of the Job doing the same at the same moment:
 * the loser of the race sees its create refused (400 "already exists") and carries on with the winner's collection.
 */
export async function ensureShared(store: VectorStore, collection: string, config: RagConfig): Promise<boolean> {
  try {
    return await store.ensureCollection(collection, collectionSettings(config));
  } catch (e) {
    if (e instanceof StoreError && e.kind === "rejected" && (await store.collectionExists(collection))) return false;
    throw e;
  }
}

interface Pending {
  readonly doc: IngestDocument;
  readonly origin: string;
  readonly chunks: readonly TextChunk[];
  readonly vectors: (number[] | undefined)[];
  remaining: number;
  failed: boolean;
}

interface ChunkRef {
  readonly p: Pending;
  readonly k: number;
  readonly cost: number;
}

/** A counting semaphore: at most `size` holders. */
class Slots {
  private used = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly size: number) {}
  async acquire(): Promise<void> {
    if (this.used < this.size) {
      this.used++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.used--;
  }
}

export class BulkIngester {
  private readonly chunkTokenizer: Tokenizer;
  private readonly countTokenizers: readonly Tokenizer[];
  private readonly reuseChunkCount: boolean;

  constructor(private readonly options: BulkIngestOptions) {
    this.chunkTokenizer = getTokenizer(options.config.chunking.tokenizer);
    // The chunking tokenizer's count of each chunk is already known (TextChunk.tokens): only the others count again.
    this.countTokenizers = options.config.chunking.countTokenizers.filter((n) => n !== this.chunkTokenizer.name).map((n) => getTokenizer(n));
    this.reuseChunkCount = options.config.chunking.countTokenizers.includes(this.chunkTokenizer.name as (typeof options.config.chunking.countTokenizers)[number]);
  }

  private payload(p: Pending, c: TextChunk): Record<string, unknown> {
    const payload = chunkPayload(p.doc, c, p.chunks.length, this.countTokenizers);
    if (this.reuseChunkCount) payload.token_counts = { [this.chunkTokenizer.name]: c.tokens, ...(payload.token_counts as Record<string, number>) };
    return payload;
  }

  /**
   * Ingests everything the source yields into `collection` (created when missing). Only a store that cannot be reached
   * to find or create the collection, or an embedder whose /info cannot be read, throws: every other failure is
   * reported per document in the result.
   */
  async run(collection: string, source: AsyncIterable<SourceItem>): Promise<BulkReport> {
    checkCollectionName(collection);
    const { store, embedder, config, signal } = this.options;
    const embedSlots = new Slots(Math.max(1, this.options.embedConcurrency ?? 4));
    const upsertSlots = new Slots(Math.max(1, this.options.upsertConcurrency ?? 2));
    const batchPoints = Math.max(1, this.options.upsertBatchPoints ?? 256);
    const created = await ensureShared(store, collection, config);
    const limits = await embedder.info(signal);
    const maxInputs = Math.max(1, limits.max_client_batch_size);
    const maxTokens = Math.max(1, limits.max_batch_tokens);

    const failures: SkippedDocument[] = [];
    let retryable = false;
    let ingested = 0;
    let chunks = 0;
    let embedRequests = 0;
    let upsertRequests = 0;
    const inFlight = new Set<Promise<void>>();
    const seen = new Set<string>();
    const progress = (event: { ingested: number; chunks: number; failed: SkippedDocument[] }): void => {
      failures.push(...event.failed);
      this.options.onProgress?.({ ingested, chunks, failed: failures.length }, event);
    };
    const skip = (s: SkippedDocument): void => progress({ ingested: 0, chunks: 0, failed: [s] });
    // Tasks report their failures per document; anything else they throw is a bug, rethrown once all have settled.
    let unexpected: unknown;
    const track = (p: Promise<void>): void => {
      inFlight.add(p);
      p.then(
        () => inFlight.delete(p),
        (e: unknown) => {
          inFlight.delete(p);
          unexpected ??= e;
        },
      );
    };

    // Upserts: documents whose every chunk has its vector, many per request; a document is never split.
    let buffer: Pending[] = [];
    let bufferPoints = 0;
    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const docs = buffer;
      buffer = [];
      bufferPoints = 0;
      await upsertSlots.acquire();
      track(
        (async () => {
          try {
            const points = docs.flatMap((p) =>
              p.chunks.map((c, k): VectorPoint => ({ id: chunkPointId(p.doc.id, c.index), vector: p.vectors[k] as number[], payload: this.payload(p, c) })),
            );
            upsertRequests++;
            try {
              await store.upsert(collection, points);
            } catch (e) {
              retryable = true;
              const err = storeFailure(e);
              return progress({ ingested: 0, chunks: 0, failed: docs.map((p) => ({ id: p.doc.id, origin: p.origin, code: err.code, message: err.message })) });
            }
            ingested += docs.length;
            chunks += points.length;
            try {
              await store.deleteWhere(collection, staleChunksOfMany(docs.map((p) => p.doc.id), points.map((pt) => pt.id)));
              progress({ ingested: docs.length, chunks: points.length, failed: [] });
            } catch (e) {
              retryable = true;
              const err = storeFailure(e);
              progress({ ingested: docs.length, chunks: points.length, failed: docs.map((p) => ({ id: p.doc.id, origin: p.origin, code: "stale_chunks_remain", message: `new chunks were stored but older chunks could not be removed (re-ingest to retry): ${err.message}` })) });
            }
          } finally {
            upsertSlots.release();
          }
        })(),
      );
    };
    const ready: Pending[] = [];

    // Embedding: requests packed up to TEI's limits, several in flight.
    let batch: ChunkRef[] = [];
    let batchCost = 0;
    const send = async (): Promise<void> => {
      if (batch.length === 0) return;
      const refs = batch;
      batch = [];
      batchCost = 0;
      await embedSlots.acquire();
      track(
        (async () => {
          try {
            if (refs.every((r) => r.p.failed)) return;
            embedRequests++;
            let vectors: number[][];
            try {
              vectors = await embedder.embed(refs.map((r) => r.p.chunks[r.k]?.text ?? ""), signal);
            } catch (e) {
              retryable = true;
              const message = `embedding failed: ${e instanceof Error ? e.message : String(e)}`;
              for (const p of new Set(refs.map((r) => r.p))) {
                if (p.failed) continue;
                p.failed = true;
                skip({ id: p.doc.id, origin: p.origin, code: "embedding_failed", message });
              }
              return;
            }
            refs.forEach((r, j) => {
              const v = vectors[j];
              if (r.p.failed) return;
              if (!v || v.length !== config.collection.vectorSize) {
                r.p.failed = true;
                skip({ id: r.p.doc.id, origin: r.p.origin, code: "embedding_mismatch", message: `embedder returned a ${v?.length ?? 0}-dimensional vector; the collection expects ${config.collection.vectorSize}` });
                return;
              }
              r.p.vectors[r.k] = v;
              if (--r.p.remaining === 0) ready.push(r.p);
            });
          } finally {
            embedSlots.release();
          }
        })(),
      );
    };
    const drainReady = async (): Promise<void> => {
      while (ready.length > 0) {
        const p = ready.shift() as Pending;
        buffer.push(p);
        bufferPoints += p.chunks.length;
        if (bufferPoints >= batchPoints) await flush();
      }
    };

    for await (const item of source) {
      if (signal?.aborted) break;
      if (item.kind === "error") {
        skip({ id: item.error.id ?? null, origin: item.error.origin, code: item.error.code ?? "invalid_document", message: item.error.message });
        continue;
      }
      const { origin, ...raw } = item.document;
      const prepared = this.prepare(raw, origin, seen);
      if ("code" in prepared) {
        skip(prepared);
        continue;
      }
      for (let k = 0; k < prepared.chunks.length; k++) {
        const cost = embedCost(prepared.chunks[k]?.tokens ?? 0, limits.max_input_length);
        if (batch.length > 0 && (batch.length >= maxInputs || batchCost + cost > maxTokens)) await send();
        batch.push({ p: prepared, k, cost });
        batchCost += cost;
        await drainReady();
      }
    }
    await send();
    // Let every embedding land, upserting as documents complete, then the last partial upsert batch.
    while (inFlight.size > 0) {
      await Promise.race([...inFlight].map((p) => p.catch(() => undefined)));
      await drainReady();
    }
    await drainReady();
    await flush();
    await Promise.allSettled([...inFlight]);
    if (unexpected !== undefined) throw unexpected;
    return { collection, created, ingested, chunks, failed: failures.length, failures, retryable, embedRequests, upsertRequests };
  }

  /** Validates and chunks one document; a SkippedDocument says why it cannot be ingested. */
  private prepare(raw: unknown, origin: string, seen: Set<string>): Pending | SkippedDocument {
    const { config } = this.options;
    const rawId = typeof raw === "object" && raw !== null && "id" in raw && typeof raw.id === "string" ? raw.id : null;
    const parsed = documentSchema.safeParse(raw);
    if (!parsed.success) return { id: rawId, origin, code: "invalid_document", message: describeIssues(parsed.error).message };
    const doc = parsed.data;
    if (seen.has(doc.id)) return { id: doc.id, origin, code: "duplicate_document_id", message: `document id '${doc.id}' was already ingested from another file or line in this run; this occurrence is skipped` };
    seen.add(doc.id);
    if (doc.text.length > config.ingest.maxDocumentChars) return { id: doc.id, origin, code: "document_too_large", message: `text has ${doc.text.length} characters; the limit is ${config.ingest.maxDocumentChars}` };
    const { maxTokens, overlapTokens } = config.chunking;
    const chunks = chunkText(doc.text, { tokenizer: this.chunkTokenizer, maxTokens, overlapTokens });
    if (chunks.length === 0) return { id: doc.id, origin, code: "invalid_document", message: "text: document has no text" };
    return { doc, origin, chunks, vectors: new Array<number[] | undefined>(chunks.length), remaining: chunks.length, failed: false };
  }
}
