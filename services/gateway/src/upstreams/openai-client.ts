/**
 * A client for one OpenAI-compatible upstream replica (a vLLM server, TEI's /v1/embeddings, or an external
 * API): an undici Pool with keep-alive connections. Calls take a cancellation signal (a client that disconnects aborts
 * the upstream request), a time-to-headers limit and an idle limit between body chunks. Streamed bodies are
 * returned as they arrive, never buffered whole.
 */
import { Pool, type Dispatcher } from "undici";
import type { Readable } from "node:stream";
import type { CancelSignal } from "../request-abort";

export interface UpstreamCallOptions {
  readonly signal: CancelSignal;
  /** Time to the response headers. */
  readonly headersTimeoutMs: number;
  /** Longest silence between body chunks. */
  readonly bodyTimeoutMs: number;
  /** Extra headers (traceparent). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface UpstreamResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Readable & { text(): Promise<string>; json(): Promise<unknown> };
}

/** Why an attempt failed, as the router and the metrics see it. */
export type UpstreamFailureReason = "connect" | "timeout" | "status_429" | "status_5xx" | "status_4xx" | "reset" | "aborted" | "bad_response";

export class UpstreamError extends Error {
  constructor(
    readonly reason: UpstreamFailureReason,
    message: string,
    readonly status?: number,
    /** The upstream's own error message, for 4xx answers passed on to the caller. */
    readonly upstreamMessage?: string,
  ) {
    super(message);
    this.name = "UpstreamError";
  }
}

/** Classifies undici/Node errors raised before or while reading a response. */
export function classifyError(e: unknown, signal: CancelSignal): UpstreamError {
  if (e instanceof UpstreamError) return e;
  if (signal.aborted) return new UpstreamError("aborted", "request aborted");
  const code = (e as { code?: string }).code ?? "";
  const name = (e as Error).name;
  if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT" || code === "UND_ERR_CONNECT_TIMEOUT") return new UpstreamError("timeout", `upstream timeout (${code})`);
  if (["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"].includes(code)) return new UpstreamError("connect", `upstream unreachable (${code})`);
  if (code === "UND_ERR_SOCKET" || code === "ECONNRESET" || code === "EPIPE" || code === "UND_ERR_CLOSED") return new UpstreamError("reset", `upstream connection reset (${code})`);
  if (name === "AbortError") return new UpstreamError("aborted", "request aborted");
  return new UpstreamError("reset", `upstream error (${code || name})`);
}

export class OpenAIUpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  /** Label for metrics: scheme://host:port. */
  readonly label: string;

  constructor(
    readonly url: string,
    options: { readonly connections?: number; readonly apiKey?: string } = {},
  ) {
    const u = new URL(url);
    this.pool = new Pool(u.origin, { connections: options.connections ?? 64, keepAliveTimeout: 30_000, pipelining: 1 });
    this.basePath = u.pathname.replace(/\/$/, "");
    this.label = u.origin;
    this.authHeader = options.apiKey ? `Bearer ${options.apiKey}` : undefined;
  }

  private readonly authHeader: string | undefined;

  /** POSTs a JSON body to `path` (e.g. /v1/chat/completions); resolves once the response headers arrive. */
  async post(path: string, body: string, options: UpstreamCallOptions): Promise<UpstreamResponse> {
    const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json, text/event-stream", ...options.headers };
    if (this.authHeader) headers.authorization = this.authHeader;
    let res: Dispatcher.ResponseData;
    try {
      res = await this.pool.request({
        method: "POST",
        path: this.basePath + path,
        headers,
        body,
        signal: options.signal,
        headersTimeout: options.headersTimeoutMs,
        bodyTimeout: options.bodyTimeoutMs,
      });
    } catch (e) {
      throw classifyError(e, options.signal);
    }
    return { status: res.statusCode, headers: res.headers, body: res.body as UpstreamResponse["body"] };
  }

  /** GET for health probes. */
  async get(path: string, signal: CancelSignal, timeoutMs: number): Promise<number> {
    const res = await this.pool.request({ method: "GET", path: this.basePath + path, signal, headersTimeout: timeoutMs, bodyTimeout: timeoutMs });
    await res.body.dump();
    return res.statusCode;
  }

  async close(): Promise<void> {
    await this.pool.close();
  }

  destroy(): Promise<void> {
    return this.pool.destroy();
  }
}
