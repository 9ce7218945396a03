/**
 * A loopback stand-in for vLLM's OpenAI-compatible server: POST /v1/chat/completions (JSON, or SSE with usage in
 * the last chunk when stream_options.include_usage) and POST /v1/embeddings. Every request is validated against
 * the official OpenAI document (shared/specs/openai), and so is every answer and every streamed chunk it sends;
 * violations are recorded (and answered 400) so tests can assert there were none.
 *
 * It can be told to fail: refuse connections (really stops listening), answer 429/502/503, delay the first
 * byte, hang, or pause between chunks; and it records each request (body, traceparent, whether the client
 * aborted it).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { OpenApiValidator } from "./openapi-validator";

export type Behaviour =
  | { readonly kind: "ok" }
  | { readonly kind: "status"; readonly status: 429 | 500 | 502 | 503 | 400; readonly message?: string }
  | { readonly kind: "slow-first-byte"; readonly delayMs: number }
  | { readonly kind: "hang" }
  | { readonly kind: "drop-mid-stream" };

export interface RecordedRequest {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  aborted: boolean;
  finished: boolean;
}

export interface StandinOptions {
  /** Fixed port (to restart on the same one). @default - a free port */
  readonly port?: number;
  /** Pause between streamed chunks. @default 0 */
  readonly chunkDelayMs?: number;
  /** Words per answer. @default 8 */
  readonly words?: number;
  /** A fixed answer text instead of the echo. @default - echo the last message */
  readonly answer?: string;
  /** With `answer`: characters per streamed content chunk. @default - one word per chunk */
  readonly chunkChars?: number;
}

export class OpenAIStandin {
  readonly requests: RecordedRequest[] = [];
  readonly violations: string[] = [];
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private queue: Behaviour[] = [];
  private fallbackBehaviour: Behaviour = { kind: "ok" };
  private readonly validator = OpenApiValidator.load("openai");
  private port_ = 0;
  chunkDelayMs: number;
  words: number;
  answer: string | undefined;
  chunkChars: number | undefined;

  private constructor(options: StandinOptions) {
    this.port_ = options.port ?? 0;
    this.chunkDelayMs = options.chunkDelayMs ?? 0;
    this.words = options.words ?? 8;
    this.answer = options.answer;
    this.chunkChars = options.chunkChars;
  }

  static async start(options: StandinOptions = {}): Promise<OpenAIStandin> {
    const s = new OpenAIStandin(options);
    await s.listen();
    return s;
  }

  get port(): number {
    return this.port_;
  }

  /** Base URL to put in the gateway's config (without /v1). */
  get url(): string {
    return `http://127.0.0.1:${this.port_}`;
  }

  /** The next `times` requests behave like this (then back to the default). */
  failNext(behaviour: Behaviour, times = 1): void {
    for (let i = 0; i < times; i++) this.queue.push(behaviour);
  }

  /** Every request (after the queue) behaves like this. */
  setDefault(behaviour: Behaviour): void {
    this.fallbackBehaviour = behaviour;
  }

  reset(): void {
    this.queue = [];
    this.fallbackBehaviour = { kind: "ok" };
    this.requests.length = 0;
  }

  /** Stops listening and drops connections: clients then get ECONNREFUSED. */
  async stop(): Promise<void> {
    const srv = this.server;
    if (!srv) return;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => srv.close(() => resolve()));
  }

  /** Listens again on the same port. */
  async listen(): Promise<void> {
    if (this.server) return;
    const srv = createServer((req, res) => this.serve(req, res));
    srv.keepAliveTimeout = 60_000;
    srv.on("connection", (s: Socket) => {
      this.sockets.add(s);
      s.once("close", () => this.sockets.delete(s));
    });
    await new Promise<void>((resolve, reject) => {
      srv.once("error", reject);
      srv.listen(this.port_, "127.0.0.1", () => resolve());
    });
    this.port_ = (srv.address() as AddressInfo).port;
    this.server = srv;
  }

  /**
   * Answers one request; a request that fails before it is answered (above all a client that disconnects
   * mid-body, whose body stream then rejects with "aborted") only ends that request, never the process.
   */
  private serve(req: IncomingMessage, res: ServerResponse): void {
    this.handle(req, res).catch(() => {
      res.destroy();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8")) as Record<string, unknown>;
    } catch {
      this.violations.push(`${path}: body is not JSON`);
      return this.json(res, 400, { error: { message: "invalid JSON", type: "invalid_request_error", code: null, param: null } });
    }
    const record: RecordedRequest = { path, body, headers: req.headers, aborted: false, finished: false };
    this.requests.push(record);
    res.once("close", () => {
      if (!res.writableFinished) record.aborted = true;
    });
    try {
      this.validator.validateRequest(req.method ?? "POST", path, body);
    } catch (e) {
      this.violations.push((e as Error).message);
      return this.json(res, 400, { error: { message: (e as Error).message.slice(0, 300), type: "invalid_request_error", code: null, param: null } });
    }
    const behaviour = this.queue.shift() ?? this.fallbackBehaviour;
    if (behaviour.kind === "hang") return; // never answers; the client's timeout or abort ends it
    if (behaviour.kind === "status") {
      return this.json(res, behaviour.status, { error: { message: behaviour.message ?? `stand-in says ${behaviour.status}`, type: "server_error", code: null, param: null } });
    }
    if (behaviour.kind === "slow-first-byte") await sleep(behaviour.delayMs);
    if (res.destroyed) return;
    if (path === "/v1/embeddings") return this.embeddings(res, body, record);
    if (path === "/v1/chat/completions") return this.chat(res, body, record, behaviour.kind === "drop-mid-stream");
    this.json(res, 404, { error: { message: `no route ${path}`, type: "invalid_request_error", code: null, param: null } });
  }

  private answerWords(body: Record<string, unknown>): string[] {
    const fixed = this.answer;
    if (fixed !== undefined) {
      // Fixed answer: pieces whose concatenation is the answer (words keep their leading space).
      const size = this.chunkChars;
      if (size) return Array.from({ length: Math.ceil(fixed.length / size) }, (_, i) => fixed.slice(i * size, (i + 1) * size));
      return fixed.split(/(?= )/);
    }
    const messages = body.messages as Array<{ content?: unknown }>;
    const last = messages[messages.length - 1]?.content;
    const seed = typeof last === "string" ? last.slice(0, 40) : "parts";
    const words = [`echo(${body.model as string}):`, ...seed.split(/\s+/).filter(Boolean)];
    while (words.length < this.words) words.push(`w${words.length}`);
    return words.slice(0, Math.max(this.words, 2));
  }

  private async chat(res: ServerResponse, body: Record<string, unknown>, record: RecordedRequest, dropMidStream: boolean): Promise<void> {
    const words = this.answerWords(body);
    // n > 1: every choice gets the same answer; streamed, each delta goes out once per choice index.
    const indexes = Array.from({ length: typeof body.n === "number" ? body.n : 1 }, (_, i) => i);
    const promptTokens = JSON.stringify(body.messages).length >> 2;
    const completionTokens = words.length * indexes.length;
    const usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
    const id = `chatcmpl-${this.requests.length}`;
    const created = Math.floor(Date.now() / 1000);
    const model = body.model as string;
    if (body.stream !== true) {
      const answer = {
        id,
        object: "chat.completion",
        created,
        model,
        choices: indexes.map((index) => ({
          index,
          message: { role: "assistant", content: this.joined(words), refusal: null },
          finish_reason: "stop",
          logprobs: body.logprobs === true ? { content: words.map(tokenLogprob), refusal: null } : null,
        })),
        usage,
      };
      this.check(() => this.validator.validateResponse("POST", "/v1/chat/completions", 200, answer));
      record.finished = true;
      return this.json(res, 200, answer);
    }
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const send = (chunk: Record<string, unknown>): void => {
      this.check(() => this.validator.validateComponent("CreateChatCompletionStreamResponse", chunk));
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
    };
    const base = { id, object: "chat.completion.chunk", created, model };
    const sendAll = (delta: Record<string, unknown>, finishReason: string | null): void => {
      const logprobs =
        body.logprobs === true && typeof delta.content === "string" && delta.content !== "" ? { content: [tokenLogprob(delta.content)], refusal: null } : null;
      for (const index of indexes) send({ ...base, choices: [{ index, delta, finish_reason: finishReason, logprobs }] });
    };
    sendAll({ role: "assistant", content: "" }, null);
    for (let i = 0; i < words.length; i++) {
      if (this.chunkDelayMs) await sleep(this.chunkDelayMs);
      if (res.destroyed) return;
      if (dropMidStream && i === Math.floor(words.length / 2)) {
        await sleep(30); // let the chunks so far reach the client, then cut the connection
        res.socket?.destroy();
        return;
      }
      sendAll({ content: this.answer !== undefined ? words[i] : (i ? " " : "") + words[i] }, null);
    }
    sendAll({}, "stop");
    if (includeUsage) send({ ...base, choices: [], usage });
    res.end("data: [DONE]\n\n");
    record.finished = true;
  }

  private joined(words: readonly string[]): string {
    return this.answer !== undefined ? words.join("") : words.join(" ");
  }

  private embeddings(res: ServerResponse, body: Record<string, unknown>, record: RecordedRequest): void {
    const input = body.input;
    const inputs = typeof input === "string" ? [input] : (input as unknown[]);
    const data = inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.1 * (index + 1), 0.2, 0.3] }));
    const answer = { object: "list", data, model: body.model as string, usage: { prompt_tokens: inputs.length * 3, total_tokens: inputs.length * 3 } };
    this.check(() => this.validator.validateResponse("POST", "/v1/embeddings", 200, answer));
    record.finished = true;
    this.json(res, 200, answer);
  }

  private check(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.violations.push((e as Error).message);
    }
  }

  private json(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
    res.end(text);
  }
}

/** A log-probability entry for one piece of the answer, as the OpenAI API spells it (the piece as its token). */
function tokenLogprob(token: string): { token: string; logprob: number; bytes: number[]; top_logprobs: [] } {
  return { token, logprob: -0.25, bytes: [...Buffer.from(token, "utf8")], top_logprobs: [] };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
