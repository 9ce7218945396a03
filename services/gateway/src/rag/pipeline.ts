/**
 * The retrieval half of a RAG query: validate, embed the question (bge query instruction), search Qdrant under the
 * caller's groups, rerank with the cross-encoder (dense order when it is down), apply the threshold and top_k,
 * let the guardrails drop injected documents, and fit the rest into the token budget as numbered sources.
 * The result is the messages to generate from; generation belongs to the chat service (see augmenter.ts and
 * routes.ts). Spans: rag_query > retrieve_documents, rerank_documents (llm_generation is added by the caller).
 */
import { context as otelContext, trace, SpanStatusCode, type Span, type Tracer } from "@opentelemetry/api";
import type { ChatMessage, Guardrails, Principal, RagSource } from "../contracts";
import { getTokenizer, type Tokenizer } from "../tokens/tokenizer";
import type { ScoredHit, VectorStore } from "../upstreams/qdrant-store";
import { TeiError } from "../upstreams/tei-client";
import type { RagConfig } from "./config";
import { buildContext, contextBudget, countShort, type ContextCandidate } from "./context";
import { RagError } from "./errors";
import { buildFilter } from "./filters";
import { checkCollectionName, toRagError } from "./ingest-service";
import type { RagMetrics, RagStage } from "./metrics";
import { augmentMessages, messageText, PER_MESSAGE_OVERHEAD, templateText } from "./prompt";

/** What the pipeline needs of the embedder and the reranker (TeiClient implements both). */
export interface QueryEmbedder {
  embed(texts: readonly string[], signal?: AbortSignal): Promise<number[][]>;
}
export interface Reranker {
  rerank(query: string, texts: readonly string[], signal?: AbortSignal): Promise<ReadonlyArray<{ readonly index: number; readonly score: number }>>;
}

export interface RagPipelineDeps {
  readonly store: VectorStore;
  readonly embedder: QueryEmbedder;
  readonly reranker: Reranker;
  readonly config: RagConfig;
  readonly metrics?: RagMetrics;
  readonly guardrails?: Guardrails;
  /** @default trace.getTracer("llm-gateway.rag") */
  readonly tracer?: Tracer;
  /**
   * The window of a model alias, when the gateway core knows it better than `rag.models`.
   * @default - rag.models[model], else rag.context.defaultContextLength with the llama3 tokenizer
   */
  readonly modelWindow?: (model: string) => { contextLength: number; tokenizer: "llama3" | "llama2" | "mistral" } | undefined;
}

export interface RetrievalRequest {
  readonly collection: string;
  /** The question to retrieve for. */
  readonly query: string;
  /** The conversation the answer continues (for chat completions); defaults to the question as one user message. */
  readonly conversation?: readonly ChatMessage[];
  readonly model: string;
  readonly topK?: number;
  readonly candidates?: number;
  readonly scoreThreshold?: number;
  readonly filters?: unknown;
  /** Route id for guardrails, e.g. "rag.query" or "chat.completions". */
  readonly route: string;
}

/** A chunk that survived ranking. */
export interface RankedChunk extends ContextCandidate {
  readonly pointId: string;
  readonly docId: string;
  readonly chunkIndex: number;
  readonly score: number;
  readonly rerankScore: number | null;
}

export interface Retrieval {
  readonly messages: ChatMessage[];
  readonly sources: RagSource[];
  readonly degraded: boolean;
  readonly noContext: boolean;
  /** Candidates the vector search returned. */
  readonly retrieved: number;
  /** Token budget for the context, and the estimate used. */
  readonly budget: number;
  readonly contextTokens: number;
  /** The root span, so the caller can nest llm_generation under it and end it. */
  readonly span: Span;
}

function hitToChunk(hit: ScoredHit): RankedChunk {
  const p = hit.payload;
  const str = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
  const counts = p.token_counts && typeof p.token_counts === "object" ? (p.token_counts as Record<string, number>) : undefined;
  return {
    pointId: hit.id,
    docId: str(p.doc_id, hit.id),
    chunkIndex: typeof p.chunk_index === "number" ? p.chunk_index : 0,
    text: str(p.text, ""),
    source: str(p.source, str(p.doc_id, hit.id)),
    title: str(p.title, str(p.doc_id, hit.id)),
    ...(counts ? { tokenCounts: counts } : {}),
    score: hit.score,
    rerankScore: null,
  };
}

export class RagPipeline {
  private readonly tracer: Tracer;

  constructor(private readonly deps: RagPipelineDeps) {
    this.tracer = deps.tracer ?? trace.getTracer("llm-gateway.rag");
  }

  /** The context window and tokenizer used for a model alias. */
  window(model: string): { contextLength: number; tokenizer: Tokenizer } {
    const w = this.deps.modelWindow?.(model) ?? this.deps.config.models[model];
    return {
      contextLength: w?.contextLength ?? this.deps.config.context.defaultContextLength,
      tokenizer: getTokenizer(w?.tokenizer ?? "llama3"),
    };
  }

  private observe(stage: RagStage, started: number): void {
    this.deps.metrics?.stageDuration.observe({ stage }, (performance.now() - started) / 1000);
  }

  /** Checks the question: non-empty, within the character and token limits. */
  checkQuery(query: unknown, tok: Tokenizer): { query: string; tokens: number } {
    const { maxQueryChars, maxQueryTokens } = this.deps.config.query;
    if (typeof query !== "string" || query.trim() === "") throw new RagError(400, "empty_query", "query must be a non-empty string", "query");
    if (query.length > maxQueryChars) throw new RagError(400, "query_too_long", `query has ${query.length} characters; the limit is ${maxQueryChars}`, "query");
    const tokens = tok.count(query);
    if (tokens > maxQueryTokens) throw new RagError(400, "query_too_long", `query has ${tokens} tokens; the limit is ${maxQueryTokens}`, "query");
    return { query: query.trim(), tokens };
  }

  /**
   * Retrieves and builds the messages. Starts the `rag_query` span, which the caller ends with `finish()` after
   * generation (or on error). Throws RagError: 400 bad input, 403 missing scope, 404 unknown collection, 503 down.
   */
  async retrieve(req: RetrievalRequest, principal: Principal, signal: AbortSignal): Promise<Retrieval> {
    const span = this.tracer.startSpan("rag_query", { attributes: { "rag.collection": req.collection, "rag.model": req.model } });
    try {
      return await otelContext.with(trace.setSpan(otelContext.active(), span), () => this.run(req, principal, signal, span));
    } catch (e) {
      const err = e instanceof RagError ? e : toRagError(e, req.collection);
      span.recordException(err);
      span.setStatus({ code: SpanStatusCode.ERROR, message: err.code });
      span.end();
      throw err;
    }
  }

  /** Runs `fn` inside a child span of the retrieval's root (e.g. llm_generation). */
  async child<T>(parent: Span, name: string, fn: (span: Span) => Promise<T>): Promise<T> {
    const ctx = trace.setSpan(otelContext.active(), parent);
    const span = this.tracer.startSpan(name, {}, ctx);
    try {
      return await otelContext.with(trace.setSpan(ctx, span), () => fn(span));
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR, message: e instanceof Error ? e.message : String(e) });
      throw e;
    } finally {
      span.end();
    }
  }

  /** Ends the root span and records the whole-query duration. */
  finish(r: Retrieval, collection: string, started: number, error?: unknown): void {
    if (error) r.span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
    r.span.end();
    this.deps.metrics?.queryDuration.observe({ collection }, (performance.now() - started) / 1000);
  }

  private async run(req: RetrievalRequest, principal: Principal, signal: AbortSignal, root: Span): Promise<Retrieval> {
    const { config, metrics } = this.deps;
    if (!principal.scopes.includes("rag:query")) throw new RagError(403, "insufficient_scope", "this credential lacks the rag:query scope");
    checkCollectionName(req.collection);
    const topK = req.topK ?? config.query.topK;
    const candidates = req.candidates ?? config.query.candidates;
    const threshold = req.scoreThreshold ?? config.query.scoreThreshold;
    if (!Number.isInteger(topK) || topK < 1 || topK > 50) throw new RagError(400, "invalid_top_k", "top_k must be an integer from 1 to 50", "top_k");
    if (!Number.isInteger(candidates) || candidates < topK || candidates > 1000) throw new RagError(400, "invalid_candidates", `candidates must be an integer from top_k (${topK}) to 1000`, "candidates");
    if (!(threshold >= 0 && threshold <= 1)) throw new RagError(400, "invalid_score_threshold", "score_threshold must be a number from 0 to 1", "score_threshold");
    const { contextLength, tokenizer } = this.window(req.model);
    const { query, tokens: queryTokens } = this.checkQuery(req.query, tokenizer);
    const filter = buildFilter(principal.groups, req.filters, config.query.filterFields);
    const conversation = req.conversation ?? [{ role: "user", content: query }];

    const promptTokens =
      countShort(tokenizer, templateText()) +
      (req.conversation ? conversation.reduce((n, m) => n + tokenizer.count(messageText(m)) + PER_MESSAGE_OVERHEAD, PER_MESSAGE_OVERHEAD) : queryTokens + 2 * PER_MESSAGE_OVERHEAD);
    const budget = contextBudget({ contextLength, reservedAnswerTokens: config.context.reservedAnswerTokens, maxContextTokens: config.context.maxContextTokens, promptTokens });
    if (budget <= 0) throw new RagError(400, "context_length_exceeded", `the conversation leaves no room for documents in the ${contextLength}-token window of model '${req.model}'`, "messages");

    // 1. Dense retrieval, under the caller's groups. No groups: nothing can be visible, skip the search.
    const hits = await this.child(root, "retrieve_documents", async (span) => {
      if (principal.groups.length === 0) return [];
      let started = performance.now();
      let vector: number[];
      try {
        const vectors = await this.deps.embedder.embed([config.embedder.queryInstruction + query], signal);
        vector = vectors[0] ?? [];
      } catch (e) {
        if (signal.aborted) throw e;
        throw new RagError(503, "embedding_unavailable", "the embedding service (TEI) is unavailable; retry later");
      }
      this.observe("embed", started);
      started = performance.now();
      const found = await this.deps.store.search(req.collection, vector, candidates, filter).catch((e: unknown) => {
        throw toRagError(e, req.collection);
      });
      const seconds = (performance.now() - started) / 1000;
      metrics?.vectorSearchDuration.observe({ collection: req.collection }, seconds);
      metrics?.stageDuration.observe({ stage: "retrieve" }, seconds);
      metrics?.documentsRetrieved.observe({ collection: req.collection }, found.length);
      span.setAttribute("rag.candidates", found.length);
      return found;
    });

    // 2. Rerank (degrades to dense order), threshold, top_k.
    const { ranked, degraded } = await this.child(root, "rerank_documents", async (span) => {
      const out = await this.rerank(query, hits.map(hitToChunk), signal);
      span.setAttribute("rag.degraded", out.degraded);
      return out;
    });
    if (degraded) metrics?.rerankDegraded.inc({ collection: req.collection });
    const started = performance.now();
    let kept = ranked.filter((c) => (c.rerankScore ?? c.score) >= threshold).slice(0, topK);

    // 3. Indirect-injection screening of what would enter the prompt.
    if (kept.length > 0 && this.deps.guardrails) {
      const { dropped } = await this.deps.guardrails.checkRetrieved(
        kept.map((c) => c.text),
        { route: req.route, tenant: principal.tenant, traceContext: trace.setSpan(otelContext.active(), root), ...(root.spanContext().traceId ? { traceId: root.spanContext().traceId } : {}) },
      );
      const drop = new Set(dropped);
      kept = kept.filter((_, i) => !drop.has(i));
    }

    // 4. Context under the budget.
    const built = buildContext(kept, budget, tokenizer);
    this.observe("context", started);
    root.setAttributes({ "rag.retrieved": hits.length, "rag.sources": built.included.length, "rag.context_tokens": built.tokens, "rag.budget": budget });
    const noContext = built.included.length === 0;
    const sources: RagSource[] = built.included.map((c, i) => ({
      n: i + 1,
      id: c.docId,
      source: c.source,
      title: c.title,
      score: c.score,
      rerank_score: c.rerankScore,
      chunk: c.chunkIndex,
    }));
    return {
      messages: augmentMessages(conversation, noContext ? null : built.text),
      sources,
      degraded,
      noContext,
      retrieved: hits.length,
      budget,
      contextTokens: built.tokens,
      span: root,
    };
  }

  /** Cross-encoder order; dense order (and degraded) when the reranker fails. Long texts are cut to maxTextChars. */
  async rerank(query: string, chunks: RankedChunk[], signal: AbortSignal): Promise<{ ranked: RankedChunk[]; degraded: boolean }> {
    if (chunks.length === 0) return { ranked: [], degraded: false };
    const started = performance.now();
    const max = this.deps.config.reranker.maxTextChars;
    try {
      const ranks = await this.deps.reranker.rerank(query, chunks.map((c) => (c.text.length > max ? c.text.slice(0, max) : c.text)), signal);
      const scores = new Map<number, number>();
      for (const r of ranks) scores.set(r.index, r.score);
      const ranked = chunks
        .map((c, i) => ({ ...c, rerankScore: scores.get(i) ?? null }))
        .sort((a, b) => (b.rerankScore ?? -Infinity) - (a.rerankScore ?? -Infinity) || b.score - a.score);
      this.observe("rerank", started);
      return { ranked, degraded: false };
    } catch (e) {
      if (signal.aborted || !(e instanceof TeiError)) throw e;
      return { ranked: [...chunks].sort((a, b) => b.score - a.score), degraded: true };
    }
  }
}
