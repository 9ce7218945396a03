/**
 * Generation seam for POST /v1/rag/query. In the gateway the generator is the core's chat service, so the
 * augmented request goes through the same limits, guardrails, routing and response cache as any chat request
 * (its cache key then covers the retrieved documents, because they are in the messages). `openAiGenerator`
 * talks to one OpenAI-compatible upstream directly; it serves the CLI-less standalone use and the tests, and
 * skips all of the above, so the gateway must not wire it in front of users.
 */
import type { Context } from "@opentelemetry/api";
import { Pool } from "undici";
import type { ChatMessage, Principal } from "../contracts";

export interface GenerationRequest {
  readonly model: string;
  readonly messages: readonly ChatMessage[];
  /** Upper bound on answer tokens (the budget's reserved answer length). */
  readonly max_tokens?: number;
  readonly temperature?: number;
}

export interface GenerationUsage {
  readonly prompt_tokens: number;
  readonly completion_tokens: number;
  readonly total_tokens: number;
}

export interface GenerationResult {
  readonly text: string;
  /** The model that answered (after routing/fallback). */
  readonly model: string;
  readonly usage: GenerationUsage;
  /**
   * Response headers the generation produced, forwarded on the /v1/rag/query answer as POST /v1/chat/completions
   * sends them (x-ratelimit-*-tokens, x-guardrails-flagged, x-cache, x-gateway-model). @default - none
   */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface GenerationChunk {
  readonly delta: string;
  /** Present on the last chunk when the upstream reports usage. */
  readonly usage?: GenerationUsage;
  readonly model?: string;
  /**
   * The stream's response headers (see GenerationResult.headers): a generator that has them yields them once, on
   * a first chunk with an empty delta, as soon as the stream is open; the route holds the SSE head until the
   * first chunk so they can go out with it.
   */
  readonly headers?: Readonly<Record<string, string>>;
}

/** What /v1/rag/query needs to generate an answer. */
export interface RagGenerator {
  /** True when the generator records its own `llm_generation` span (the core's chat service does). */
  readonly tracesGeneration?: boolean;
  /** `traceContext` carries the rag_query span, so the generator's spans nest under it. */
  complete(req: GenerationRequest, principal: Principal, signal: AbortSignal, traceContext?: Context): Promise<GenerationResult>;
  stream(req: GenerationRequest, principal: Principal, signal: AbortSignal, traceContext?: Context): AsyncIterable<GenerationChunk>;
}

/** A generation that failed; `statusCode`/`code` are rendered as an OpenAI-style error. */
export class GenerationError extends Error {
  constructor(
    message: string,
    readonly statusCode = 502,
    readonly code = "upstream_error",
  ) {
    super(message);
    this.name = "GenerationError";
  }
}

const ZERO: GenerationUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

interface ChatCompletionJson {
  model?: string;
  choices?: Array<{ message?: { content?: string | null }; delta?: { content?: string | null } }>;
  usage?: GenerationUsage | null;
}

/** A generator calling `POST {baseUrl}/chat/completions` of an OpenAI-compatible server (e.g. vLLM). */
export function openAiGenerator(options: { readonly baseUrl: string; readonly apiKey?: string; readonly timeoutMs?: number }): RagGenerator & { close(): Promise<void> } {
  const base = new URL(options.baseUrl);
  const prefix = base.pathname.replace(/\/$/, "");
  const pool = new Pool(base.origin, { connections: 16 });
  const headers = { "content-type": "application/json", ...(options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {}) };

  async function post(body: unknown, signal: AbortSignal): Promise<Awaited<ReturnType<Pool["request"]>>> {
    const timeout = AbortSignal.timeout(options.timeoutMs ?? 60_000);
    let res;
    try {
      res = await pool.request({ method: "POST", path: `${prefix}/chat/completions`, headers, body: JSON.stringify(body), signal: AbortSignal.any([signal, timeout]) });
    } catch (e) {
      throw new GenerationError(`model upstream unreachable: ${e instanceof Error ? e.message : String(e)}`, 503, "upstream_unavailable");
    }
    if (res.statusCode !== 200) {
      const text = await res.body.text();
      throw new GenerationError(`model upstream answered ${res.statusCode}: ${text.slice(0, 200)}`, res.statusCode >= 500 ? 502 : res.statusCode);
    }
    return res;
  }

  return {
    async complete(req, _principal, signal) {
      const res = await post({ model: req.model, messages: req.messages, ...(req.max_tokens ? { max_tokens: req.max_tokens } : {}), ...(req.temperature !== undefined ? { temperature: req.temperature } : {}) }, signal);
      const json = (await res.body.json()) as ChatCompletionJson;
      return { text: json.choices?.[0]?.message?.content ?? "", model: json.model ?? req.model, usage: json.usage ?? ZERO };
    },
    async *stream(req, _principal, signal) {
      const res = await post(
        { model: req.model, messages: req.messages, stream: true, stream_options: { include_usage: true }, ...(req.max_tokens ? { max_tokens: req.max_tokens } : {}) },
        signal,
      );
      // Server-sent events: "data: <json>" lines, blank-line separated, ending with "data: [DONE]".
      let buffer = "";
      const decoder = new TextDecoder();
      for await (const part of res.body) {
        buffer += decoder.decode(part as Uint8Array, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf("\n")) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith("data:")) continue;
          const data = line.slice(5).trim();
          if (data === "[DONE]") return;
          const json = JSON.parse(data) as ChatCompletionJson;
          const delta = json.choices?.[0]?.delta?.content ?? "";
          if (delta || json.usage) yield { delta, ...(json.usage ? { usage: json.usage } : {}), ...(json.model ? { model: json.model } : {}) };
        }
      }
    },
    close: () => pool.close(),
  };
}
