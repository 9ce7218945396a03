/**
 * The chat pipeline, callable by any route (POST /v1/chat/completions, and POST /v1/rag/query through the same
 * limits, guardrails, routing and cache):
 *   plan (model, complexity) → TPM charge with the model's tokenizer → input guardrails (block / redact / PII
 *   flag) → RAG augmentation (when asked) → re-plan with the PII flag → cache lookup → upstream with retries and
 *   fallbacks → output guardrails → cache store, usage correction, token and cost metrics.
 * Requests-per-minute are charged by the limits plugin before the route runs. HTTP-agnostic: it takes a body,
 * a principal and a cancellation signal, and returns values and headers; errors are GatewayErrors.
 */
import type { Context, Span, Tracer } from "@opentelemetry/api";
import { context as otelContext, SpanStatusCode, trace } from "@opentelemetry/api";
import type { FastifyBaseLogger } from "fastify";
import type { GatewayConfig } from "../config/schema";
import type { ChatMessage, Guardrails, OutputContext, OutputGuardrailResult, Principal, RagAugmenter, RagSource } from "../contracts";
import { GatewayError } from "../http/errors";
import { cacheKey, noDirectives, type CacheDirectives, type CacheResult, type ResponseCache } from "../cache/response-cache";
import type { RateLimits, LimitHeaders } from "../limits/rate-limits";
import type { ModelRouter, RoutePlan, AttemptTiming } from "../routing/model-router";
import type { GatewayMetrics } from "../telemetry/metrics";
import { inSpan, injectHeaders } from "../telemetry/tracing";
import { countMessageTokens } from "../limits/token-counter";
import { UpstreamError, classifyError, type UpstreamResponse } from "../upstreams/openai-client";
import { messagesText, type ChatCompletionBody, type ChatCompletionResponse } from "./request-schema";
import { firstEventFlushed, readSseData, sseEvent, SSE_DONE } from "./sse";
import { upstreamFailure } from "./upstream-errors";
import { deadline as requestDeadline } from "./deadline";
import { asAbortSignal, type CancelSignal } from "../request-abort";
import { withFlaggedHeader } from "../guardrails/flag-header";

export interface ChatCallOptions {
  /** Route id for guardrail context and metrics, e.g. "chat.completions" or "rag.query". @default "chat.completions" */
  readonly route?: string;
  /** Parent trace context (the request's span). @default - the active context */
  readonly traceContext?: Context;
  /** Cache-Control / opt-in header directives. @default - none */
  readonly cache?: CacheDirectives;
  /** Accumulates time spent waiting on upstreams (for the overhead metric). @default - a private counter */
  readonly timing?: AttemptTiming;
  /**
   * Charges the request to the caller's requests-per-minute together with `tokens` prompt tokens (the route deferred
   * it, src/limits/plugin.ts): one Redis command, in the same write as the cache lookup; its requests' 429 wins over
   * the tokens'. Answers undefined when the request was charged already (the service then charges the tokens alone).
   * @default - the route charged it already
   */
  readonly chargeRequest?: (tokens: number) => Promise<LimitHeaders> | undefined;
}

export interface RagInfo {
  readonly sources: readonly RagSource[];
  readonly degraded: boolean;
  readonly noContext: boolean;
}

export interface ChatResult {
  readonly response: ChatCompletionResponse;
  /** The model alias that answered (a fallback when the first failed). */
  readonly model: string;
  readonly cache: CacheResult;
  /** Headers for the HTTP response (x-ratelimit-*-tokens). */
  readonly headers: Readonly<Record<string, string>>;
  readonly rag?: RagInfo;
}

export interface ChatStream {
  readonly model: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly rag?: RagInfo;
  /** SSE frames ("data: {...}\n\n"), ending with "data: [DONE]\n\n" or an error event. Iterate once. */
  readonly events: AsyncIterable<string>;
}

export interface ChatServiceDeps {
  readonly config: GatewayConfig;
  readonly router: ModelRouter;
  readonly limits: RateLimits;
  readonly cache: ResponseCache;
  readonly metrics: GatewayMetrics;
  readonly tracer: Tracer;
  readonly log: FastifyBaseLogger;
  readonly guardrails?: Guardrails;
  readonly rag?: RagAugmenter;
}

interface Prepared {
  readonly plan: RoutePlan;
  readonly messages: readonly ChatMessage[];
  readonly promptEstimate: number;
  readonly headers: LimitHeaders;
  readonly parent: Context;
  readonly rag?: RagInfo;
  readonly responseFormat?: OutputContext["responseFormat"];
  /** The cache lookup already started with the TPM charge (same model and messages as the final key). */
  readonly lookup?: Promise<string | null | undefined>;
}

type UsageLike = { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number };

/** An upstream stream chunk, as far as the relay reads or rewrites it (other fields pass through). */
interface StreamChunk {
  id?: string;
  created?: number;
  model?: string;
  usage?: UsageLike | null;
  choices?: Array<{ index?: number; finish_reason?: string | null; logprobs?: unknown; delta?: { content?: string | null; [field: string]: unknown } }>;
  error?: { message?: string };
}

export class ChatService {
  constructor(private readonly deps: ChatServiceDeps) {}

  /** A non-streaming completion. */
  async complete(body: ChatCompletionBody, principal: Principal, signal: CancelSignal, opts: ChatCallOptions = {}): Promise<ChatResult> {
    const { cache, metrics, router } = this.deps;
    const directives = opts.cache ?? noDirectives;
    const eligible = cache.eligible({ stream: false, temperature: body.temperature ?? null }, directives);
    let earlyKey: string | undefined;
    const early = (model: string, messages: readonly ChatMessage[], parent: Context): Promise<string | null | undefined> => {
      earlyKey = cacheKey(cache.prefix, principal.tenant, model, messages, body);
      return this.lookup(earlyKey, parent);
    };
    const p = await this.prepare(body, principal, signal, opts, eligible.lookup ? early : undefined);
    // An early lookup used the final model and messages (nothing could change them), so its key is the key.
    const key = eligible.store ? ((p.lookup ? earlyKey : undefined) ?? cacheKey(cache.prefix, principal.tenant, p.plan.model, p.messages, body)) : undefined;
    let cacheResult: CacheResult = "bypass";
    if (key && eligible.lookup) {
      const cached = await (p.lookup ?? this.lookup(key, p.parent));
      cacheResult = cached === undefined ? "error" : cached === null ? "miss" : "hit";
      metrics.cacheRequests.inc({ result: cacheResult });
      if (cached) {
        const response = JSON.parse(cached) as ChatCompletionResponse;
        return { response, model: response.model, cache: "hit", headers: p.headers, ...(p.rag ? { rag: p.rag } : {}) };
      }
    } else {
      metrics.cacheRequests.inc({ result: "bypass" });
    }

    const timing = opts.timing ?? { upstreamMs: 0 };
    const whole = requestDeadline(signal, this.deps.config.routing.requestTimeoutMs);
    const deadline = whole.signal;
    const attempt = await inSpan(this.deps.tracer, "llm_generation", p.parent, async (span, child) =>
      router.execute(p.plan.chain, deadline, timing, async (replica, deployment) => {
        span.setAttribute("gen_ai.request.model", deployment.name);
        const res = await replica.client.post("/v1/chat/completions", this.upstreamBody(body, p.messages, deployment.cfg.upstreamModel, false), this.callOptions(deadline, child()));
        if (res.status !== 200) throw await upstreamFailure(res);
        try {
          const json = (await res.body.json()) as ChatCompletionResponse;
          if (!json || !Array.isArray(json.choices)) throw new UpstreamError("bad_response", "upstream answer has no choices");
          return json;
        } catch (e) {
          throw e instanceof UpstreamError ? e : classifyError(e, deadline);
        }
      }),
    ).catch((e: unknown) => {
      if (signal.aborted) throw new GatewayError(499, "client_closed_request", "the client closed the request");
      if (e instanceof GatewayError && e.code === "client_closed_request" && !signal.aborted) {
        throw new GatewayError(504, "upstream_timeout", "the request did not complete within the gateway's deadline");
      }
      throw e;
    }).finally(() => whole.dispose());
    attempt.release();
    const response = { ...attempt.value, model: attempt.model };

    let headers = p.headers;
    if (this.deps.guardrails) {
      await inSpan(this.deps.tracer, "guardrails.output", p.parent, async (_span, child) => {
        const ctx: OutputContext = { route: opts.route ?? "chat.completions", tenant: principal.tenant, traceId: trace.getSpan(p.parent)?.spanContext().traceId, traceContext: child(), ...(p.responseFormat ? { responseFormat: p.responseFormat } : {}) };
        for (const choice of response.choices) {
          // Token log-probabilities spell the raw answer out token by token: with guardrails on they would leak
          // what the output guardrails redact, so they are withheld.
          if ((choice as { logprobs?: unknown }).logprobs != null) (choice as { logprobs?: unknown }).logprobs = null;
          const content = choice.message.content;
          if (typeof content !== "string") continue;
          const verdict = await (this.deps.guardrails as Guardrails).checkOutput(content, ctx);
          if (verdict.action === "block") throw new GatewayError(400, verdict.block?.code ?? "output_blocked", verdict.block?.message ?? "the answer was blocked by an output guardrail");
          if (verdict.action === "redact") choice.message.content = verdict.text;
          headers = withFlaggedHeader(headers, verdict.findings);
        }
      });
    }

    this.account(principal, attempt.model, response.usage, p.promptEstimate);
    if (key && eligible.store) {
      cache.set(key, JSON.stringify(response)).catch((e: unknown) => this.deps.log.warn({ err: { message: (e as Error).message } }, "response cache store failed"));
    }
    return { response, model: attempt.model, cache: cacheResult, headers, ...(p.rag ? { rag: p.rag } : {}) };
  }

  /** A streamed completion: resolves once the upstream has answered 200 (retries and fallbacks happen before). */
  async stream(body: ChatCompletionBody, principal: Principal, signal: CancelSignal, opts: ChatCallOptions = {}): Promise<ChatStream> {
    const requestStarted = performance.now();
    const p = await this.prepare(body, principal, signal, opts);
    this.deps.metrics.cacheRequests.inc({ result: "bypass" });
    const timing = opts.timing ?? { upstreamMs: 0 };
    const span = this.deps.tracer.startSpan("llm_generation", {}, p.parent);
    const ctx = trace.setSpan(p.parent, span);
    let attempt: Awaited<ReturnType<ModelRouter["execute"]>> & { value: UpstreamResponse };
    try {
      attempt = await this.deps.router.execute(p.plan.chain, signal, timing, async (replica, deployment) => {
        const res = await replica.client.post("/v1/chat/completions", this.upstreamBody(body, p.messages, deployment.cfg.upstreamModel, true), {
          ...this.callOptions(signal, ctx),
        });
        if (res.status !== 200) throw await upstreamFailure(res);
        return res;
      });
    } catch (e) {
      span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      throw e;
    }
    span.setAttribute("gen_ai.request.model", attempt.model);
    const includeUsage = body.stream_options?.include_usage === true;
    const singleChoice = (body.n ?? 1) === 1;
    const events = this.relay(attempt.value, attempt.model, includeUsage, singleChoice, principal, p, signal, span, timing, attempt.release, opts, requestStarted);
    return { model: attempt.model, headers: p.headers, events: firstEventFlushed(events), ...(p.rag ? { rag: p.rag } : {}) };
  }

  private async *relay(
    res: UpstreamResponse,
    model: string,
    includeUsage: boolean,
    singleChoice: boolean,
    principal: Principal,
    p: Prepared,
    signal: CancelSignal,
    span: Span,
    timing: AttemptTiming,
    release: () => void,
    opts: ChatCallOptions,
    requestStarted: number,
  ): AsyncGenerator<string> {
    const started = performance.now();
    const guard = this.deps.guardrails?.streamGuard({ route: opts.route ?? "chat.completions", tenant: principal.tenant, traceContext: p.parent, ...(p.responseFormat ? { responseFormat: p.responseFormat } : {}) });
    // Redacting mode (the guard releases only scanned, redacted text) when the guard offers it and there is one
    // choice: its deltas are one answer. With n > 1 the choices' deltas interleave, so the push/end path stays.
    const redacting =
      guard?.pushRedacting && guard.endRedacting && singleChoice ? { push: guard.pushRedacting.bind(guard), end: guard.endRedacting.bind(guard) } : undefined;
    let usage: UsageLike | undefined;
    let first = true;
    let finished = false;
    /** Redacting mode: endRedacting has been called (it is called once). */
    let ended = false;
    /** id and created of the latest upstream chunk, for the chunk carrying the held-back rest. */
    let meta: { id: string; created: number } = { id: "chatcmpl-gateway", created: Math.floor(Date.now() / 1000) };
    const firstToken = (): void => {
      if (!first) return;
      first = false;
      this.deps.metrics.timeToFirstToken.observe({ model }, (performance.now() - requestStarted) / 1000);
    };
    const errorEvent = (status: number, code: string, message: string): string => sseEvent(JSON.stringify({ error: { message, type: status === 400 ? "invalid_request_error" : "upstream_error", code, param: null } }));
    const blockEvent = (verdict: OutputGuardrailResult): string =>
      errorEvent(400, verdict.block?.code ?? "output_blocked", verdict.block?.message ?? "the answer was blocked by an output guardrail");
    const contentChunk = (content: string): string =>
      sseEvent(JSON.stringify({ id: meta.id, object: "chat.completion.chunk", created: meta.created, model, choices: [{ index: 0, delta: { content }, finish_reason: null }] }));
    try {
      for await (const data of readSseData(res.body)) {
        if (data === "[DONE]") break;
        let chunk: StreamChunk;
        try {
          chunk = JSON.parse(data) as StreamChunk;
        } catch {
          yield errorEvent(502, "upstream_bad_response", "the model server sent an invalid stream chunk");
          return;
        }
        if (chunk.error) {
          yield errorEvent(502, "upstream_stream_error", "the model server failed during the stream");
          return;
        }
        if (chunk.usage) usage = chunk.usage;
        const choices = chunk.choices ?? [];
        // As for non-streamed answers: log-probabilities would repeat unscanned answer text.
        if (guard) for (const c of choices) if (c.logprobs != null) c.logprobs = null;
        let delta = "";
        for (const c of choices) if (typeof c.delta?.content === "string") delta += c.delta.content;
        if (redacting) {
          if (typeof chunk.id === "string") meta = { id: chunk.id, created: typeof chunk.created === "number" ? chunk.created : meta.created };
          let emit = "";
          // Content after the end (never sent by a conforming server with n = 1) was not part of the scanned
          // answer: it is dropped, never forwarded unscanned.
          if (delta && !ended) {
            const r = await redacting.push(delta);
            if (r.blocked) {
              yield blockEvent(r.blocked);
              return;
            }
            emit = r.emit;
          }
          // The held-back rest is released before the first chunk that ends the answer (a finish_reason, or the
          // usage-only chunk), so every chunk after it, usage included, still comes after all content.
          const ending = !ended && (choices.some((c) => c.finish_reason != null) || (choices.length === 0 && chunk.usage != null));
          if (ending) {
            ended = true;
            const r = await redacting.end();
            if (r.blocked) {
              yield blockEvent(r.blocked);
              return;
            }
            emit += r.emit;
          }
          let placed = false;
          for (const c of choices) {
            if (typeof c.delta?.content !== "string") continue;
            if (!placed && !ending) {
              c.delta.content = emit;
              placed = true;
            } else delete c.delta.content;
          }
          if (ending && emit) {
            firstToken();
            yield contentChunk(emit);
          } else if (emit) firstToken();
          const carriesMore =
            ending || (includeUsage && chunk.usage != null) || choices.some((c) => c.finish_reason != null || Object.entries(c.delta ?? {}).some(([k, v]) => k !== "content" && v != null));
          // A delta held back entirely leaves nothing to send in its chunk.
          if (delta && !emit && !carriesMore) continue;
        } else {
          if (delta) firstToken();
          if (delta && guard) {
            const verdict = await guard.push(delta);
            if (verdict?.action === "block") {
              yield blockEvent(verdict);
              return;
            }
          }
        }
        chunk.model = model;
        if (!includeUsage) {
          if (choices.length === 0 && chunk.usage) continue;
          delete chunk.usage;
        }
        yield sseEvent(JSON.stringify(chunk));
      }
      if (redacting) {
        if (!ended) {
          ended = true;
          const r = await redacting.end();
          if (r.blocked) {
            yield blockEvent(r.blocked);
            return;
          }
          if (r.emit) {
            firstToken();
            yield contentChunk(r.emit);
          }
        }
      } else if (guard) {
        const verdict = await guard.end();
        if (verdict.action === "block") {
          yield blockEvent(verdict);
          return;
        }
      }
      finished = true;
      yield SSE_DONE;
    } catch (e) {
      if (!signal.aborted) {
        this.deps.log.warn({ err: { message: (e as Error).message } }, "upstream stream failed after the first byte");
        yield errorEvent(502, "upstream_stream_error", "the model server connection failed during the stream");
      }
    } finally {
      if (!finished && !res.body.destroyed) res.body.destroy();
      timing.upstreamMs += performance.now() - started;
      release();
      if (!finished) span.setStatus({ code: SpanStatusCode.ERROR, message: signal.aborted ? "client aborted" : "stream ended early" });
      span.end();
      this.account(principal, model, usage, p.promptEstimate);
    }
  }

  /** A cache lookup in its span: the entry, null on a miss, undefined when Redis failed (logged). Never rejects. */
  private lookup(key: string, parent: Context): Promise<string | null | undefined> {
    const { cache, tracer, log } = this.deps;
    return inSpan(tracer, "cache", parent, async (span) => {
      try {
        const v = await cache.get(key);
        span.setAttribute("cache.hit", v !== null);
        return v;
      } catch (e) {
        log.warn({ err: { message: (e as Error).message } }, "response cache lookup failed");
        return undefined;
      }
    });
  }

  /**
   * Shared steps before the cache and the upstream. `earlyLookup`, when given, is started together with the TPM
   * charge if nothing can change the messages in between (no input guardrails, no RAG): the charge and the GET
   * then leave in one Redis write (ioredis auto-pipelining) and share one round trip. A charge that fails (429)
   * discards the lookup's answer, so what the caller sees is unchanged. See docs/decisions/0039-redis-round-trips.md.
   */
  private async prepare(
    body: ChatCompletionBody,
    principal: Principal,
    signal: CancelSignal,
    opts: ChatCallOptions,
    earlyLookup?: (model: string, messages: readonly ChatMessage[], parent: Context) => Promise<string | null | undefined>,
  ): Promise<Prepared> {
    const { router, tracer, limits } = this.deps;
    const parent = opts.traceContext ?? otelContext.active();
    let messages = body.messages as readonly ChatMessage[];
    const text = messagesText(messages);
    let plan = await inSpan(tracer, "route", parent, async (span) => {
      const planned = router.plan(body.model, principal, { kind: "chat", text });
      span.setAttribute("gen_ai.request.model", planned.model);
      if (planned.complexity) span.setAttribute("gateway.complexity", planned.complexity.score);
      return planned;
    });
    const deployment = router.deployments.get(plan.model);
    const promptEstimate = countMessageTokens(deployment?.cfg.tokenizer ?? "llama3", messages, this.deps.config.limits.exactTokenCountChars);
    // The deferred RPM charge, the TPM charge and the cache lookup leave in one write: one Redis round trip before
    // the upstream call.
    const [charged, lookup] = limits.writeTogether(() => [this.charge(principal, promptEstimate, parent, opts), earlyLookup && !this.deps.guardrails && !body.rag ? earlyLookup(plan.model, messages, parent) : undefined] as const);
    let headers: LimitHeaders = await charged;
    let containsPii = false;
    if (this.deps.guardrails) {
      const guardrails = this.deps.guardrails;
      const verdict = await inSpan(tracer, "guardrails", parent, async (span, child) => {
        const v = await guardrails.checkInput(messages, { route: opts.route ?? "chat.completions", tenant: principal.tenant, traceId: trace.getSpan(parent)?.spanContext().traceId, traceContext: child() });
        span.setAttribute("guardrails.action", v.action);
        return v;
      });
      if (verdict.action === "block") {
        // The refund goes out with the next batch of usage corrections; the refusal does not wait for it.
        void limits.adjustTokens(principal, -promptEstimate);
        throw new GatewayError(400, verdict.block?.code ?? "input_blocked", verdict.block?.message ?? "the request was blocked by an input guardrail", { param: "messages" });
      }
      messages = verdict.messages;
      containsPii = verdict.containsPii;
      // x-guardrails-flagged: layers that flagged the input below their block tier (ids only, never text).
      headers = withFlaggedHeader(headers, verdict.findings);
    }
    let rag: RagInfo | undefined;
    if (body.rag) {
      const augmenter = this.deps.rag;
      if (!augmenter) throw new GatewayError(400, "rag_not_enabled", "retrieval augmentation is not enabled on this gateway", { param: "rag" });
      const aug = await inSpan(tracer, "rag", parent, () => augmenter.augment({ model: body.model, messages, rag: body.rag as NonNullable<ChatCompletionBody["rag"]> }, principal, asAbortSignal(signal)));
      messages = aug.messages;
      rag = { sources: aug.sources, degraded: aug.degraded, noContext: aug.noContext };
    }
    if (containsPii) {
      plan = router.plan(body.model, principal, { kind: "chat", text, containsPii: true });
    }
    const rf = body.response_format as OutputContext["responseFormat"] | undefined;
    return { plan, messages, promptEstimate, headers, parent, ...(rag ? { rag } : {}), ...(rf ? { responseFormat: rf } : {}), ...(lookup ? { lookup } : {}) };
  }

  /** The TPM charge, with the route's deferred RPM charge (whose 429 wins), as one rate_limit span. */
  private charge(principal: Principal, promptEstimate: number, parent: Context, opts: ChatCallOptions): Promise<LimitHeaders> {
    const { limits, tracer } = this.deps;
    return inSpan(tracer, "rate_limit", parent, async (span) => {
      span.setAttribute("gateway.prompt_tokens_estimate", promptEstimate);
      const together = opts.chargeRequest?.(Math.max(1, Math.ceil(promptEstimate)));
      if (together) return together;
      return limits.consumeTokens(principal, promptEstimate);
    });
  }

  private upstreamBody(body: ChatCompletionBody, messages: readonly ChatMessage[], upstreamModel: string, stream: boolean): string {
    const { rag: _rag, ...rest } = body;
    void _rag;
    const out: Record<string, unknown> = { ...rest, model: upstreamModel, messages };
    if (stream) {
      out.stream = true;
      out.stream_options = { include_usage: true };
    } else {
      delete out.stream;
      delete out.stream_options;
    }
    return JSON.stringify(out);
  }

  private callOptions(signal: CancelSignal, ctx: Context): { signal: CancelSignal; headersTimeoutMs: number; bodyTimeoutMs: number; headers: Record<string, string> } {
    const r = this.deps.config.routing;
    return { signal, headersTimeoutMs: r.firstByteTimeoutMs, bodyTimeoutMs: r.idleTimeoutMs, headers: injectHeaders(ctx, {}) };
  }

  /** Token and cost metrics, and the TPM correction from estimate to actual usage. */
  private account(principal: Principal, model: string, usage: UsageLike | undefined | null, estimate: number): void {
    if (!usage) return;
    const prompt = usage.prompt_tokens ?? 0;
    const completion = usage.completion_tokens ?? 0;
    const { metrics, config } = this.deps;
    metrics.tokens.inc({ model, type: "prompt" }, prompt);
    metrics.tokens.inc({ model, type: "completion" }, completion);
    const price = config.models[model]?.pricing;
    if (price) metrics.cost.inc({ model }, (prompt * price.promptPerMillion + completion * price.completionPerMillion) / 1e6);
    const total = usage.total_tokens ?? prompt + completion;
    void this.deps.limits.adjustTokens(principal, total - estimate);
  }
}
