/**
 * The seams of the request path: the types the gateway core, the guardrails and the RAG pipeline share.
 * The core calls guardrails and RAG only through these interfaces, so each plugs in (or is left out) without
 * the others knowing its internals. See ARCHITECTURE.md: route → auth → rate limit → input guardrails →
 * cache → routing → [RAG] → upstream → output guardrails → cache store, usage, metrics.
 */
import type { Context } from "@opentelemetry/api";

/** A text part of an OpenAI content array. */
export interface TextContentPart {
  readonly type: "text";
  readonly text: string;
}
/** Any other content part (image_url, input_audio, file, ...): passed through, never scanned as text. */
export interface OtherContentPart {
  readonly type: string;
  readonly [key: string]: unknown;
}
export type ContentPart = TextContentPart | OtherContentPart;

/** An OpenAI chat message as the gateway sees it after schema validation. */
export interface ChatMessage {
  readonly role: "system" | "developer" | "user" | "assistant" | "tool";
  readonly content: string | readonly ContentPart[] | null;
  readonly name?: string;
  readonly tool_call_id?: string;
  readonly tool_calls?: readonly unknown[];
}

/** Who is calling, from a verified JWT or an API key. */
export interface Principal {
  /** Stable subject id (JWT `sub`, or `apikey:<id>`). */
  readonly subject: string;
  readonly tenant: string;
  /** Rate-limit tier name (a key of the config's tiers). */
  readonly tier: string;
  /** Groups, used for RAG document access control. */
  readonly groups: readonly string[];
  /** Model aliases the caller may use; "*" for all. */
  readonly models: readonly string[] | "*";
  /** Route scopes: chat, embeddings, models:read, rag:query, rag:ingest. */
  readonly scopes: readonly string[];
  /** How the caller authenticated. */
  readonly method: "jwt" | "api-key";
}

/** Where a guardrail runs, for per-route and per-tenant configuration. */
export interface GuardrailContext {
  /** Route id, e.g. "chat.completions", "rag.query". */
  readonly route: string;
  readonly tenant: string;
  /** W3C trace id, for logs. */
  readonly traceId?: string;
  /**
   * The trace context the guards' spans are children of (the caller's guardrails span). The gateway passes
   * contexts explicitly, so the active context (AsyncLocalStorage) does not carry it. @default - the active context
   */
  readonly traceContext?: Context;
}

/** One thing a detector found. Never carries the matched value, only where it is. */
export interface GuardrailFinding {
  /** Detector id, e.g. "pii", "injection", "moderation", "output". */
  readonly guard: string;
  /** Entity or category, e.g. "US_SSN", "EMAIL_ADDRESS", "jailbreak", "toxicity". */
  readonly type: string;
  /** Confidence 0..1. */
  readonly score: number;
  /** Position in the scanned text, when the detector knows it. */
  readonly start?: number;
  readonly end?: number;
  /** Index of the message it was found in (input) or undefined (output). */
  readonly messageIndex?: number;
  /** True when a local layer flagged it below its block tier (allowed; the in-cluster classifiers decide). */
  readonly flagged?: boolean;
}

export type GuardrailAction = "allow" | "redact" | "block";

/** Outcome of the input guardrails for one request. */
export interface InputGuardrailResult {
  readonly action: GuardrailAction;
  /** The messages to send upstream: redacted copies when action is redact, the originals otherwise. */
  readonly messages: readonly ChatMessage[];
  /** True when any PII was detected (redacted or not): routing then keeps the request on self-hosted models. */
  readonly containsPii: boolean;
  readonly findings: readonly GuardrailFinding[];
  /** Present when action is block: a stable error code (pii_blocked, prompt_injection, content_policy) and a
   * message safe to show the caller (names entity types, never echoes values). */
  readonly block?: { readonly code: string; readonly message: string; readonly guard: string };
}

/** Outcome of an output check. */
export interface OutputGuardrailResult {
  readonly action: GuardrailAction;
  /** The text to return: redacted when action is redact. */
  readonly text: string;
  readonly findings: readonly GuardrailFinding[];
  readonly block?: { readonly code: string; readonly message: string; readonly guard: string };
}

/** What output validation needs to know about the request. */
export interface OutputContext extends GuardrailContext {
  /** The request's response_format, when it asked for JSON. */
  readonly responseFormat?: { readonly type: string; readonly json_schema?: { readonly schema?: unknown; readonly name?: string } };
}

/** What a redacting stream guard lets through: text to send now, or the block that ends the stream. */
export interface StreamRelease {
  /** Text that may be sent now, already redacted ("" while text is held back for right context). */
  readonly emit: string;
  /** When set, nothing more may be sent: end the stream with an error event built from it. */
  readonly blocked?: OutputGuardrailResult;
}

/** Incremental output scanning for a streamed answer. */
export interface StreamGuard {
  /** Adds a delta; returns a block result as soon as a window of the answer so far must be blocked. */
  push(delta: string): Promise<OutputGuardrailResult | undefined>;
  /** Called at the end of the stream with the whole answer. */
  end(): Promise<OutputGuardrailResult>;
  /**
   * Optional redacting mode (use it instead of push/end, never mixed): adds a delta and returns the text that
   * may be sent now — everything but a held-back tail, scanned with enough right context, redact-type findings
   * replaced by `<TYPE>` placeholders — or the block that ends the stream. Block-type findings (an SSN, a card)
   * are caught before any of their characters are released.
   */
  pushRedacting?(delta: string): Promise<StreamRelease>;
  /** With pushRedacting, at the end of the stream: the rest (redacted), after the whole-answer checks, or a block. */
  endRedacting?(): Promise<StreamRelease>;
}

/** The guardrails the request path calls. */
export interface Guardrails {
  checkInput(messages: readonly ChatMessage[], ctx: GuardrailContext): Promise<InputGuardrailResult>;
  checkOutput(text: string, ctx: OutputContext): Promise<OutputGuardrailResult>;
  streamGuard(ctx: OutputContext): StreamGuard;
  /** Scan retrieved documents before they enter a prompt (indirect injection); returns indexes to drop. */
  checkRetrieved(texts: readonly string[], ctx: GuardrailContext): Promise<{ readonly dropped: readonly number[]; readonly findings: readonly GuardrailFinding[] }>;
}

/** A source cited by a RAG answer. */
export interface RagSource {
  readonly n: number;
  readonly id: string;
  readonly source: string;
  readonly title: string;
  readonly score: number;
  readonly rerank_score: number | null;
  /** Chunk index within the document (a document can be cited by more than one of its chunks). */
  readonly chunk?: number;
}

/** The `rag` extension field of a chat completion request. */
export interface RagRequestOptions {
  readonly collection: string;
  readonly top_k?: number;
  readonly candidates?: number;
  readonly score_threshold?: number;
  readonly filters?: Record<string, unknown>;
}

/** Retrieval-augmentation of a chat request: the messages to generate from, and the sources they cite. */
export interface RagAugmentation {
  readonly messages: readonly ChatMessage[];
  readonly sources: readonly RagSource[];
  /** True when the reranker was unavailable and dense order was used. */
  readonly degraded: boolean;
  /** True when nothing passed the score threshold (the answer must say so, not guess). */
  readonly noContext: boolean;
}

/** What the chat route calls when a request carries the `rag` field. */
export interface RagAugmenter {
  augment(
    request: { readonly model: string; readonly messages: readonly ChatMessage[]; readonly rag: RagRequestOptions },
    principal: Principal,
    signal: AbortSignal,
  ): Promise<RagAugmentation>;
}
