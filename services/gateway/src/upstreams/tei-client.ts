/**
 * A client for Hugging Face text-embeddings-inference (TEI): `/info`, `/embed`, `/rerank` and `/predict`, as
 * the OpenAPI document in shared/specs/text-embeddings-inference describes them. One instance per TEI server
 * (the embedder, the reranker and each classifier are separate deployments). undici's Pool keeps connections
 * alive; every call takes an AbortSignal and a timeout.
 */
import { Pool } from "undici";

/** `GET /info`, the fields we use. */
export interface TeiInfo {
  readonly model_id: string;
  readonly max_client_batch_size: number;
  readonly max_input_length: number;
  readonly max_batch_tokens: number;
  readonly model_type: Record<string, unknown>;
}

/** One rerank result: index into the texts sent, and the relevance score (0..1 unless raw). */
export interface TeiRank {
  readonly index: number;
  readonly score: number;
}

/** One classifier label and its score. */
export interface TeiPrediction {
  readonly label: string;
  readonly score: number;
}

export interface TeiClientOptions {
  /** Base URL, e.g. http://tei-embedder:80. */
  readonly url: string;
  /** Per-request timeout. @default 10000 */
  readonly timeoutMs?: number;
  /** Connections kept to the server. @default 16 */
  readonly connections?: number;
}

/** A TEI call that failed: unreachable, timed out, or a non-2xx answer (with TEI's error_type when given). */
export class TeiError extends Error {
  constructor(
    message: string,
    /** HTTP status, or undefined when the server was not reached. */
    readonly status: number | undefined,
    /** TEI's error_type (Unhealthy, Backend, Overloaded, Validation, Tokenizer, Empty) when it sent one. */
    readonly errorType?: string,
  ) {
    super(message);
    this.name = "TeiError";
  }
}

export class TeiClient {
  private readonly pool: Pool;
  private readonly timeoutMs: number;
  private info_: Promise<TeiInfo> | undefined;

  constructor(private readonly options: TeiClientOptions) {
    const base = new URL(options.url);
    this.pool = new Pool(base.origin, { connections: options.connections ?? 16 });
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  /** The server's `/info`, fetched once and remembered (a failed fetch is retried on the next call). */
  info(signal?: AbortSignal): Promise<TeiInfo> {
    if (!this.info_) {
      this.info_ = this.request<TeiInfo>("GET", "/info", undefined, signal).catch((e: unknown) => {
        this.info_ = undefined;
        throw e;
      });
    }
    return this.info_;
  }

  /** Embeddings of texts, in order. Splits into batches of the server's max_client_batch_size. */
  async embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]> {
    if (texts.length === 0) return [];
    const { max_client_batch_size: size } = await this.info(signal);
    const batches: string[][] = [];
    for (let i = 0; i < texts.length; i += Math.max(1, size)) batches.push(texts.slice(i, i + Math.max(1, size)));
    const results = await Promise.all(
      batches.map((inputs) => this.request<number[][]>("POST", "/embed", { inputs, normalize: true, truncate: true }, signal)),
    );
    const out = results.flat();
    if (out.length !== texts.length) throw new TeiError(`TEI /embed returned ${out.length} embeddings for ${texts.length} inputs`, 200);
    return out;
  }

  /**
   * Relevance of each text to the query, as TEI's ranks (sorted by score, highest first). Texts beyond the
   * server's max_client_batch_size are sent in parallel batches and merged; indexes refer to `texts`.
   */
  async rerank(query: string, texts: readonly string[], signal?: AbortSignal): Promise<TeiRank[]> {
    if (texts.length === 0) return [];
    const { max_client_batch_size: size } = await this.info(signal);
    const step = Math.max(1, size);
    const calls: Promise<TeiRank[]>[] = [];
    for (let offset = 0; offset < texts.length; offset += step) {
      const batch = texts.slice(offset, offset + step);
      calls.push(
        this.request<TeiRank[]>("POST", "/rerank", { query, texts: batch, truncate: true, raw_scores: false }, signal).then((ranks) =>
          ranks.map((r) => ({ index: r.index + offset, score: r.score })),
        ),
      );
    }
    const merged = (await Promise.all(calls)).flat();
    merged.sort((a, b) => b.score - a.score);
    return merged;
  }

  /** Classifier predictions for each input (all labels, highest first), e.g. injection or toxicity models. */
  async predict(inputs: readonly string[], signal?: AbortSignal): Promise<TeiPrediction[][]> {
    if (inputs.length === 0) return [];
    const body = { inputs: inputs.map((t) => [t]), truncate: true, raw_scores: false };
    const res = await this.request<TeiPrediction[][] | TeiPrediction[]>("POST", "/predict", body, signal);
    // A batch of one may come back un-nested.
    const nested = res.length > 0 && !Array.isArray(res[0]) ? [res as TeiPrediction[]] : (res as TeiPrediction[][]);
    return nested;
  }

  /** Closes the connection pool. */
  async close(): Promise<void> {
    await this.pool.close();
  }

  private async request<T>(method: "GET" | "POST", path: string, body: unknown, signal?: AbortSignal): Promise<T> {
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    let res;
    try {
      res = await this.pool.request({
        method,
        path,
        headers: body === undefined ? {} : { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: combined,
      });
    } catch (e) {
      const reason = timeout.aborted ? `timed out after ${this.timeoutMs} ms` : e instanceof Error ? e.message : String(e);
      throw new TeiError(`TEI ${method} ${this.options.url}${path} failed: ${reason}`, undefined);
    }
    const text = await res.body.text();
    if (res.statusCode < 200 || res.statusCode >= 300) {
      let errorType: string | undefined;
      let message = text.slice(0, 200);
      try {
        const parsed = JSON.parse(text) as { error?: unknown; error_type?: unknown };
        if (typeof parsed.error === "string") message = parsed.error;
        if (typeof parsed.error_type === "string") errorType = parsed.error_type;
      } catch {
        /* not JSON: keep the raw text */
      }
      throw new TeiError(`TEI ${method} ${path} answered ${res.statusCode}: ${message}`, res.statusCode, errorType);
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new TeiError(`TEI ${method} ${path} answered with invalid JSON`, res.statusCode);
    }
  }
}
