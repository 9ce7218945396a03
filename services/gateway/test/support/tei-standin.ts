/**
 * A loopback stand-in for Hugging Face text-embeddings-inference. Every request is validated against the official
 * OpenAPI document (shared/specs/text-embeddings-inference) and so is every response it sends; violations are
 * answered 422 and recorded in `violations` so tests can assert there were none.
 *
 * Behaviour, deterministic and close enough to the real models for retrieval tests:
 * - /embed: hashed bag of words (lower-cased, stop words dropped, plural "s" stripped) into `dimensions` (1024),
 *   L2-normalized, so texts sharing words are near in cosine. The bge query instruction is recognised and ignored,
 *   as the real model is trained to.
 * - /rerank: lexical overlap, |query words ∩ text words| / |query words|, in [0, 1].
 * - /predict: a configurable classifier (default: everything "SAFE" 0.99).
 * - /info: max_client_batch_size and max_input_length are enforced like TEI does (413 beyond them).
 * - `fail(...)` makes endpoints answer an error status, or `stop()` closes the socket entirely.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { LoopbackServer, receiveJson, type RecordedRequest } from "./loopback-server";
import { OpenApiValidator } from "./openapi-validator";

export interface TeiPredictionOut {
  label: string;
  score: number;
}

export interface TeiStandinOptions {
  /** Served model type. @default "embedding" */
  readonly kind?: "embedding" | "reranker" | "classifier";
  /** @default 1024 */
  readonly dimensions?: number;
  /** @default 32 */
  readonly maxClientBatchSize?: number;
  /** Reported by /info (TEI batches up to this many tokens per forward pass; it does not refuse larger requests). @default 16384 */
  readonly maxBatchTokens?: number;
  /** Inputs longer than this many words without truncate=true get a 413. @default 512 */
  readonly maxInputLength?: number;
  /** Classifier for /predict. @default - "SAFE" 0.99 for every input */
  readonly predict?: (text: string) => TeiPredictionOut[];
}

export type { RecordedRequest };

type Endpoint = "/embed" | "/rerank" | "/predict" | "/info";

const STOP = new Set(
  "a an and are as at be by for from has have how i in is it its of on or that the this to was were what when where which who why will with do does can you your me my we our about into than then there these those they them not no".split(
    " ",
  ),
);
export const BGE_QUERY_INSTRUCTION = "Represent this sentence for searching relevant passages: ";

/** Content words of a text, as the stand-in models see them. */
export function contentWords(text: string): string[] {
  const words = text.toLowerCase().match(/[a-z0-9]+/g) ?? [];
  return words.filter((w) => !STOP.has(w)).map((w) => (w.length > 3 && w.endsWith("s") ? w.slice(0, -1) : w));
}

function fnv1a(s: string, seed: number): number {
  let h = 0x811c9dc5 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The stand-in's embedding of a text. */
export function standinEmbedding(text: string, dims = 1024): number[] {
  const input = text.startsWith(BGE_QUERY_INSTRUCTION) ? text.slice(BGE_QUERY_INSTRUCTION.length) : text;
  const v = new Array<number>(dims).fill(0);
  const words = contentWords(input);
  if (words.length === 0) {
    v[0] = 1;
    return v;
  }
  for (const w of words) {
    const h = fnv1a(w, 0);
    v[h % dims] = (v[h % dims] ?? 0) + ((fnv1a(w, 7) & 1) === 0 ? 1 : -1);
  }
  const norm = Math.sqrt(v.reduce((s, x) => s + x * x, 0)) || 1;
  return v.map((x) => x / norm);
}

/** The stand-in's rerank score of a text for a query. */
export function standinRerankScore(query: string, text: string): number {
  const q = new Set(contentWords(query));
  if (q.size === 0) return 0;
  const t = new Set(contentWords(text));
  let hit = 0;
  for (const w of q) if (t.has(w)) hit++;
  return hit / q.size;
}


export class TeiStandin extends LoopbackServer {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private readonly validator = OpenApiValidator.load("text-embeddings-inference");
  private failures = new Map<Endpoint | "*", number>();
  private predictFn: (text: string) => TeiPredictionOut[];

  private constructor(private readonly options: TeiStandinOptions) {
    super();
    this.predictFn = options.predict ?? (() => [{ label: "SAFE", score: 0.99 }]);
  }

  static async start(options: TeiStandinOptions = {}): Promise<TeiStandin> {
    const s = new TeiStandin(options);
    await s.start();
    return s;
  }


  /** Makes an endpoint (or all, "*") answer with an error status; `undefined` clears it. */
  fail(endpoint: Endpoint | "*", status: number | undefined): void {
    if (status === undefined) this.failures.delete(endpoint);
    else this.failures.set(endpoint, status);
  }

  setPredict(fn: (text: string) => TeiPredictionOut[]): void {
    this.predictFn = fn;
  }

  /** Calls to an endpoint so far. */
  calls(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }



  private send(res: ServerResponse, method: string, path: string, status: number, body: unknown): void {
    try {
      this.validator.validateResponse(method, path, status, body);
    } catch (e) {
      this.violations.push(`response: ${(e as Error).message}`);
    }
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(body));
  }

  private error(res: ServerResponse, method: string, path: string, status: number, message: string, type: string): void {
    this.send(res, method, path, status, { error: message, error_type: type });
  }

  protected async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { method, path, body, error } = await receiveJson(req, this.validator, this.requests, this.violations);
    if (error !== undefined) return this.error(res, method, path, 422, error, "Validation");
    const failure = this.failures.get(path as Endpoint) ?? this.failures.get("*");
    if (failure !== undefined) return this.error(res, method, path, failure, "stand-in told to fail", failure === 429 ? "Overloaded" : "Unhealthy");

    const batch = this.options.maxClientBatchSize ?? 32;
    const maxLen = this.options.maxInputLength ?? 512;
    const tooLong = (t: string, truncate: unknown): boolean => truncate !== true && t.split(/\s+/).length > maxLen;
    if (method === "GET" && path === "/info") {
      const kind = this.options.kind ?? "embedding";
      const modelType =
        kind === "embedding" ? { embedding: { pooling: "cls" } } : { [kind]: { id2label: { "0": "LABEL_0" }, label2id: { LABEL_0: 0 } } };
      return this.send(res, method, path, 200, {
        model_id: kind === "embedding" ? "BAAI/bge-large-en-v1.5" : kind === "reranker" ? "BAAI/bge-reranker-large" : "stand-in/classifier",
        model_dtype: "float16",
        served_model_name: "stand-in",
        model_type: modelType,
        max_concurrent_requests: 512,
        max_input_length: maxLen,
        max_batch_tokens: this.options.maxBatchTokens ?? 16384,
        max_client_batch_size: batch,
        auto_truncate: false,
        tokenization_workers: 2,
        version: "1.9.3",
      });
    }
    if (method === "POST" && path === "/embed") {
      const b = body as { inputs: string | string[]; truncate?: boolean | null };
      const inputs = typeof b.inputs === "string" ? [b.inputs] : b.inputs;
      if (inputs.length === 0) return this.error(res, method, path, 400, "Batch is empty", "Empty");
      if (inputs.length > batch) return this.error(res, method, path, 413, `batch size ${inputs.length} > maximum allowed batch size ${batch}`, "Validation");
      if (inputs.some((t) => typeof t !== "string")) return this.error(res, method, path, 422, "stand-in embeds text inputs only", "Tokenizer");
      if (inputs.some((t) => tooLong(t, b.truncate))) return this.error(res, method, path, 413, `input must have less than ${maxLen} tokens`, "Validation");
      return this.send(res, method, path, 200, inputs.map((t) => standinEmbedding(t, this.options.dimensions ?? 1024)));
    }
    if (method === "POST" && path === "/rerank") {
      const b = body as { query: string; texts: string[]; truncate?: boolean | null; return_text?: boolean };
      if (b.texts.length === 0) return this.error(res, method, path, 400, "Batch is empty", "Empty");
      if (b.texts.length > batch) return this.error(res, method, path, 413, `batch size ${b.texts.length} > maximum allowed batch size ${batch}`, "Validation");
      if (b.texts.some((t) => tooLong(`${b.query} ${t}`, b.truncate))) return this.error(res, method, path, 413, `input must have less than ${maxLen} tokens`, "Validation");
      const ranks = b.texts
        .map((t, index) => ({ index, score: standinRerankScore(b.query, t), ...(b.return_text ? { text: t } : {}) }))
        .sort((x, y) => y.score - x.score);
      return this.send(res, method, path, 200, ranks);
    }
    if (method === "POST" && path === "/predict") {
      const b = body as { inputs: string | string[] | string[][] };
      if (typeof b.inputs === "string") return this.send(res, method, path, 200, this.predictFn(b.inputs));
      const isBatch = b.inputs.length > 0 && Array.isArray(b.inputs[0]);
      if (!isBatch) return this.send(res, method, path, 200, this.predictFn((b.inputs as string[]).join(" ")));
      const items = b.inputs as string[][];
      if (items.length > batch) return this.error(res, method, path, 413, `batch size ${items.length} > maximum allowed batch size ${batch}`, "Validation");
      return this.send(res, method, path, 200, items.map((pair) => this.predictFn(pair.join(" "))));
    }
    return this.error(res, method, path, 404, `stand-in does not serve ${method} ${path}`, "Validation");
  }
}
