/**
 * The vector store: the few Qdrant operations RAG needs, on the official REST client (@qdrant/js-client-rest),
 * with Qdrant's failures mapped to a small typed error (unavailable / not found / rejected) the routes turn
 * into 503 / 404 / 400.
 */
import { QdrantClient, type Schemas } from "@qdrant/js-client-rest";

export type QdrantFilter = Schemas["Filter"];
export type QdrantPayload = Record<string, unknown>;

/** A point to write. */
export interface VectorPoint {
  readonly id: string;
  readonly vector: readonly number[];
  readonly payload: QdrantPayload;
}

/** A search hit. */
export interface ScoredHit {
  readonly id: string;
  readonly score: number;
  readonly payload: QdrantPayload;
}

/** How a new collection is created. */
export interface CollectionSettings {
  readonly vectorSize: number;
  readonly distance: "Cosine" | "Dot" | "Euclid";
  readonly hnswM: number;
  readonly hnswEfConstruct: number;
  /** Copies of each shard across Qdrant's peers. */
  readonly replicationFactor: number;
  /** Replicas that must apply a write before Qdrant acknowledges it. */
  readonly writeConsistencyFactor: number;
  /** Payload fields to index, with their Qdrant schema type. */
  readonly payloadIndexes: Readonly<Record<string, "keyword" | "integer" | "float" | "bool" | "text">>;
}

export type StoreErrorKind = "unavailable" | "not_found" | "rejected";

/** A store operation that failed. `kind` says whether to answer 503, 404 or 400. */
export class StoreError extends Error {
  constructor(
    readonly kind: StoreErrorKind,
    message: string,
  ) {
    super(message);
    this.name = "StoreError";
  }
}

/** What RAG needs of a vector store; QdrantStore implements it, tests may wrap it. */
export interface VectorStore {
  collectionExists(collection: string): Promise<boolean>;
  /** Creates the collection and its payload indexes when missing; returns true when it created it. */
  ensureCollection(collection: string, settings: CollectionSettings): Promise<boolean>;
  /** Upserts points in one request and waits until applied. */
  upsert(collection: string, points: readonly VectorPoint[]): Promise<void>;
  /** Deletes the points matching a filter and waits until applied. */
  deleteWhere(collection: string, filter: QdrantFilter): Promise<void>;
  /** Nearest points to a vector among those matching the filter, best first. */
  search(collection: string, vector: readonly number[], limit: number, filter: QdrantFilter): Promise<ScoredHit[]>;
  /** Number of points matching a filter (exact). */
  count(collection: string, filter?: QdrantFilter): Promise<number>;
}

export interface QdrantStoreOptions {
  readonly url: string;
  /** API key, sent as the api-key header. Never logged. */
  readonly apiKey?: string;
  /** @default 5000 */
  readonly timeoutMs?: number;
}

function describe(e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const status = typeof e === "object" && e !== null && "status" in e && typeof e.status === "number" ? e.status : undefined;
  const data = typeof e === "object" && e !== null && "data" in e ? (e as { data?: { status?: { error?: unknown } } }).data : undefined;
  const detail = typeof data?.status?.error === "string" ? data.status.error : e instanceof Error ? e.message : String(e);
  if (status === 404) return new StoreError("not_found", detail);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) return new StoreError("rejected", `Qdrant rejected the request (${status}): ${detail}`);
  const reason = status !== undefined ? `answered ${status}` : detail;
  return new StoreError("unavailable", `Qdrant is unavailable: ${reason}`);
}

export class QdrantStore implements VectorStore {
  private readonly client: QdrantClient;

  constructor(options: QdrantStoreOptions) {
    this.client = new QdrantClient({
      url: options.url,
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
      timeout: options.timeoutMs ?? 5_000,
      checkCompatibility: false,
    });
  }

  private async call<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw describe(e);
    }
  }

  collectionExists(collection: string): Promise<boolean> {
    return this.call(async () => (await this.client.collectionExists(collection)).exists);
  }

  async ensureCollection(collection: string, settings: CollectionSettings): Promise<boolean> {
    if (await this.collectionExists(collection)) return false;
    await this.call(() =>
      this.client.createCollection(collection, {
        vectors: { size: settings.vectorSize, distance: settings.distance },
        hnsw_config: { m: settings.hnswM, ef_construct: settings.hnswEfConstruct },
        replication_factor: settings.replicationFactor,
        write_consistency_factor: settings.writeConsistencyFactor,
      }),
    );
    for (const [field, type] of Object.entries(settings.payloadIndexes)) {
      await this.call(() => this.client.createPayloadIndex(collection, { field_name: field, field_schema: type, wait: true }));
    }
    return true;
  }

  async upsert(collection: string, points: readonly VectorPoint[]): Promise<void> {
    if (points.length === 0) return;
    await this.call(() =>
      this.client.upsert(collection, {
        wait: true,
        points: points.map((p) => ({ id: p.id, vector: [...p.vector], payload: p.payload })),
      }),
    );
  }

  async deleteWhere(collection: string, filter: QdrantFilter): Promise<void> {
    await this.call(() => this.client.delete(collection, { wait: true, filter }));
  }

  async search(collection: string, vector: readonly number[], limit: number, filter: QdrantFilter): Promise<ScoredHit[]> {
    const res = await this.call(() =>
      this.client.query(collection, { query: [...vector], limit, filter, with_payload: true, with_vector: false }),
    );
    return res.points.map((p) => ({ id: String(p.id), score: p.score, payload: (p.payload ?? {}) as QdrantPayload }));
  }

  async count(collection: string, filter?: QdrantFilter): Promise<number> {
    const res = await this.call(() => this.client.count(collection, { exact: true, ...(filter ? { filter } : {}) }));
    return res.count;
  }
}
