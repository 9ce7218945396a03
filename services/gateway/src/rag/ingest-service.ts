/**
 * Ingestion: validate each document, chunk it, embed the chunks (batches sized by TEI's /info), then per document
 * upsert its new chunks in one request and only then delete the chunks it no longer has. A document that fails
 * at any step before its upsert leaves the store untouched; the batch reports which documents failed and why.
 * Used by the HTTP routes and by the CLI alike. See docs/decisions/0050-ingestion-writes.md.
 */
import type { Tokenizer } from "../tokens/tokenizer";
import { getTokenizer } from "../tokens/tokenizer";
import type { CollectionSettings, QdrantFilter, VectorPoint, VectorStore } from "../upstreams/qdrant-store";
import { StoreError } from "../upstreams/qdrant-store";
import { chunkText, type TextChunk } from "./chunking";
import type { RagConfig } from "./config";
import { COLLECTION_NAME, DOCUMENT_ID, describeIssues, documentSchema, type IngestDocument } from "./documents";
import { RagError } from "./errors";
import type { RagMetrics } from "./metrics";
import { chunkPointId } from "./point-id";

/** What ingestion needs of the embedder (TeiClient implements it). */
export interface Embedder {
  info(signal?: AbortSignal): Promise<{ readonly max_client_batch_size: number }>;
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}

export interface IngestedDocument {
  readonly id: string;
  readonly chunks: number;
}

export interface FailedDocument {
  /** Position of the item in the request's `documents` array. */
  readonly index: number;
  readonly id: string | null;
  readonly error: { readonly code: string; readonly message: string; readonly param: string | null };
}

export interface IngestReport {
  readonly collection: string;
  /** True when this request created the collection. */
  readonly created: boolean;
  readonly ingested: readonly IngestedDocument[];
  readonly failed: readonly FailedDocument[];
}

export interface IngestServiceDeps {
  readonly store: VectorStore;
  readonly embedder: Embedder;
  readonly config: RagConfig;
  readonly metrics?: RagMetrics;
}

/** Payload fields that get a keyword index (filterable), plus chunk_index as an integer. */
export function payloadIndexes(config: RagConfig): CollectionSettings["payloadIndexes"] {
  const fields: Record<string, "keyword" | "integer"> = { doc_id: "keyword", groups: "keyword", chunk_index: "integer" };
  for (const f of config.query.filterFields) fields[f] ??= "keyword";
  return fields;
}

export function collectionSettings(config: RagConfig): CollectionSettings {
  return { ...config.collection, payloadIndexes: payloadIndexes(config) };
}

/** Throws a 400 RagError unless the collection name is acceptable. */
export function checkCollectionName(name: string): void {
  if (!COLLECTION_NAME.test(name)) {
    throw new RagError(400, "invalid_collection", `collection name '${name.slice(0, 80)}' is invalid: expected 1-63 letters, digits, _ or - (starting with a letter or digit)`, "collection");
  }
}

interface Prepared {
  readonly index: number;
  readonly doc: IngestDocument;
  readonly chunks: readonly TextChunk[];
  vectors: number[][];
  error?: FailedDocument["error"];
}

export function storeFailure(e: unknown): FailedDocument["error"] {
  if (e instanceof StoreError) return { code: e.kind === "unavailable" ? "vector_store_unavailable" : "vector_store_error", message: e.message, param: null };
  return { code: "ingest_failed", message: e instanceof Error ? e.message : String(e), param: null };
}

export class IngestService {
  private readonly chunkTokenizer: Tokenizer;

  constructor(private readonly deps: IngestServiceDeps) {
    this.chunkTokenizer = getTokenizer(deps.config.chunking.tokenizer);
  }

  /** Splits a document into its chunks, as ingestion would. */
  chunk(text: string): TextChunk[] {
    const { maxTokens, overlapTokens } = this.deps.config.chunking;
    return chunkText(text, { tokenizer: this.chunkTokenizer, maxTokens, overlapTokens });
  }

  /**
   * Ingests a batch. Validation failures and per-document write failures are reported in `failed`; only a store
   * that cannot even be reached to find or create the collection fails the whole batch (503).
   */
  async ingest(collection: string, items: readonly unknown[], signal?: AbortSignal): Promise<IngestReport> {
    checkCollectionName(collection);
    const { config } = this.deps;
    const failed: FailedDocument[] = [];
    const prepared: Prepared[] = [];

    // 1. Validate each item; ids repeated within the batch fail at every occurrence (which one is meant is unknowable).
    const idPositions = new Map<string, number[]>();
    items.forEach((item, index) => {
      const id = typeof item === "object" && item !== null && "id" in item && typeof item.id === "string" ? item.id : undefined;
      if (id !== undefined) idPositions.set(id, [...(idPositions.get(id) ?? []), index]);
    });
    items.forEach((item, index) => {
      const rawId = typeof item === "object" && item !== null && "id" in item && typeof item.id === "string" ? item.id : null;
      const positions = rawId === null ? [] : (idPositions.get(rawId) ?? []);
      if (positions.length > 1) {
        failed.push({ index, id: rawId, error: { code: "duplicate_document_id", message: `document id '${rawId}' appears more than once in this batch (items ${positions.join(", ")})`, param: `documents.${index}.id` } });
        return;
      }
      const parsed = documentSchema.safeParse(item);
      if (!parsed.success) {
        const { message, param } = describeIssues(parsed.error);
        failed.push({ index, id: rawId, error: { code: "invalid_document", message, param: `documents.${index}${param ? "." + param : ""}` } });
        return;
      }
      if (parsed.data.text.length > config.ingest.maxDocumentChars) {
        failed.push({ index, id: rawId, error: { code: "document_too_large", message: `text has ${parsed.data.text.length} characters; the limit is ${config.ingest.maxDocumentChars}`, param: `documents.${index}.text` } });
        return;
      }
      const chunks = this.chunk(parsed.data.text);
      if (chunks.length === 0) {
        failed.push({ index, id: rawId, error: { code: "invalid_document", message: "text: document has no text", param: `documents.${index}.text` } });
        return;
      }
      prepared.push({ index, doc: parsed.data, chunks, vectors: [] });
    });

    if (prepared.length === 0) return { collection, created: false, ingested: [], failed: failed.sort((a, b) => a.index - b.index) };

    // 2. The collection (created with the documented settings when missing). Unreachable store: whole batch 503.
    let created: boolean;
    try {
      created = await this.deps.store.ensureCollection(collection, collectionSettings(config));
    } catch (e) {
      throw toRagError(e, collection);
    }

    // 3. Embeddings, in TEI-sized batches across documents; a failed batch fails the documents it carried.
    await this.embedAll(prepared, signal);

    // 4. Per document: upsert the new chunks, then delete the ones it no longer has.
    const ingested: IngestedDocument[] = [];
    const countTokenizers = config.chunking.countTokenizers.map((n) => getTokenizer(n));
    for (const p of prepared) {
      if (p.error) {
        failed.push({ index: p.index, id: p.doc.id, error: p.error });
        continue;
      }
      const points = p.chunks.map((c, k): VectorPoint => ({ id: chunkPointId(p.doc.id, c.index), vector: p.vectors[k] as number[], payload: chunkPayload(p.doc, c, p.chunks.length, countTokenizers) }));
      try {
        await this.deps.store.upsert(collection, points);
      } catch (e) {
        failed.push({ index: p.index, id: p.doc.id, error: storeFailure(e) });
        continue;
      }
      this.deps.metrics?.ingestedChunks.inc({ collection }, points.length);
      try {
        await this.deps.store.deleteWhere(collection, staleChunksFilter(p.doc.id, points.map((pt) => pt.id)));
      } catch (e) {
        const err = storeFailure(e);
        failed.push({ index: p.index, id: p.doc.id, error: { ...err, code: "stale_chunks_remain", message: `new chunks were stored but older chunks could not be removed (re-ingest to retry): ${err.message}` } });
        continue;
      }
      ingested.push({ id: p.doc.id, chunks: points.length });
    }
    return { collection, created, ingested, failed: failed.sort((a, b) => a.index - b.index) };
  }

  private async embedAll(prepared: Prepared[], signal?: AbortSignal): Promise<void> {
    const { embedder, config } = this.deps;
    let batchSize: number;
    try {
      batchSize = Math.max(1, (await embedder.info(signal)).max_client_batch_size);
    } catch (e) {
      const message = `embedding service unavailable: ${e instanceof Error ? e.message : String(e)}`;
      for (const p of prepared) p.error = { code: "embedding_unavailable", message, param: null };
      return;
    }
    const refs = prepared.flatMap((p) => p.chunks.map((c, k) => ({ p, k, text: c.text })));
    const batches: (typeof refs)[] = [];
    for (let i = 0; i < refs.length; i += batchSize) batches.push(refs.slice(i, i + batchSize));
    // A few batches in flight: TEI queues them; more would only add memory pressure.
    const concurrency = 4;
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < batches.length) {
        const batch = batches[next++] as typeof refs;
        if (batch.every((r) => r.p.error)) continue;
        try {
          const vectors = await embedder.embed(batch.map((r) => r.text), signal);
          batch.forEach((r, j) => {
            const v = vectors[j];
            if (!v || v.length !== config.collection.vectorSize) {
              r.p.error = { code: "embedding_mismatch", message: `embedder returned a ${v?.length ?? 0}-dimensional vector; the collection expects ${config.collection.vectorSize}`, param: null };
            } else r.p.vectors[r.k] = v;
          });
        } catch (e) {
          const message = `embedding failed: ${e instanceof Error ? e.message : String(e)}`;
          for (const r of batch) r.p.error ??= { code: "embedding_failed", message, param: null };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, batches.length) }, worker));
  }

  /** Deletes every chunk of a document. 404 when the collection or the document does not exist. */
  async deleteDocument(collection: string, id: string): Promise<{ id: string; deleted: number }> {
    checkCollectionName(collection);
    if (!DOCUMENT_ID.test(id)) throw new RagError(400, "invalid_document_id", `document id '${id.slice(0, 80)}' is invalid`, "id");
    const filter: QdrantFilter = { must: [{ key: "doc_id", match: { value: id } }] };
    try {
      if (!(await this.deps.store.collectionExists(collection))) throw new RagError(404, "collection_not_found", `collection '${collection}' does not exist`, "collection");
      const count = await this.deps.store.count(collection, filter);
      if (count === 0) throw new RagError(404, "document_not_found", `document '${id}' is not in collection '${collection}'`, "id");
      await this.deps.store.deleteWhere(collection, filter);
      return { id, deleted: count };
    } catch (e) {
      throw toRagError(e, collection);
    }
  }
}

/** Filter for a document's points other than the given ones. */
export function staleChunksFilter(docId: string, keep: readonly string[]): QdrantFilter {
  return { must: [{ key: "doc_id", match: { value: docId } }], must_not: [{ has_id: [...keep] }] };
}

export function chunkPayload(doc: IngestDocument, chunk: TextChunk, chunkCount: number, counters: readonly Tokenizer[]): Record<string, unknown> {
  const m = doc.metadata;
  const tokenCounts: Record<string, number> = {};
  for (const t of counters) tokenCounts[t.name] = t.count(chunk.text);
  return {
    doc_id: doc.id,
    chunk_index: chunk.index,
    chunk_count: chunkCount,
    text: chunk.text,
    title: m.title ?? doc.id,
    source: m.source ?? doc.id,
    groups: [...new Set(m.groups)],
    ...(m.tags ? { tags: m.tags } : {}),
    ...(m.lang ? { lang: m.lang } : {}),
    ...(chunk.heading ? { heading: chunk.heading } : {}),
    start: chunk.start,
    end: chunk.end,
    token_counts: tokenCounts,
    ...(m.extra ? { extra: m.extra } : {}),
  };
}

/** Maps store failures to HTTP-facing errors: unreachable 503, missing collection 404, rejected 400. */
export function toRagError(e: unknown, collection: string): RagError {
  if (e instanceof RagError) return e;
  if (e instanceof StoreError) {
    if (e.kind === "not_found") return new RagError(404, "collection_not_found", `collection '${collection}' does not exist`, "collection");
    if (e.kind === "rejected") return new RagError(400, "vector_store_rejected", e.message);
    return new RagError(503, "vector_store_unavailable", "the vector store (Qdrant) is unavailable; retry later");
  }
  return new RagError(500, "internal_error", "internal error during RAG processing");
}
