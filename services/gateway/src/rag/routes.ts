/**
 * RAG routes, as one encapsulated Fastify plugin:
 *   POST   /v1/collections/:name/documents        (scope rag:ingest) batch ingest, per-document outcome
 *   DELETE /v1/collections/:name/documents/:id    (scope rag:ingest) remove every chunk of a document
 *   POST   /v1/rag/query                           (scope rag:query)  retrieve, generate, cite; JSON or SSE
 * The caller's Principal is read from `request.principal` (set by the core's auth) unless `getPrincipal` is
 * given. Errors are OpenAI-style bodies: {"error":{"message","type","code","param"}}.
 */
import { context as otelContext, trace, type Context, type Span } from "@opentelemetry/api";
import Ajv from "ajv";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Principal } from "../contracts";
import { GatewayError } from "../http/errors";
import { fastifyErrorBody } from "../http/error-handler";
import { RagError } from "./errors";
import type { GenerationUsage, RagGenerator } from "./generator";
import { chatServiceGenerator } from "./chat-generator";
import { noContextAnswer } from "./prompt";
import { createRagServices, type RagDeps, type RagServices } from "./services";

export interface RagRoutesOptions extends RagDeps {
  /**
   * Generates answers for /v1/rag/query.
   * @default - the core's chat service (`app.chat`, decorated by the "gateway-chat" plugin) via chatServiceGenerator
   */
  readonly generator?: RagGenerator;
  /** Prebuilt services (to share metrics/pipeline with the augmenter). @default - built from the deps */
  readonly services?: RagServices;
  /**
   * Reads the authenticated caller. @default - `request.principal`, as set by the core's auth hook
   */
  readonly getPrincipal?: (request: FastifyRequest) => Principal | undefined;
}

// JSON Schemas written out rather than built with TypeBox: typebox 1 ships only ES modules, which jest's CommonJS
// runtime cannot load, and these few shapes read fine as plain objects.
const str = { type: "string" } as const;
const int = { type: "integer" } as const;
const nullable = (schema: object): object => ({ anyOf: [schema, { type: "null" }] });

const IngestParams = { type: "object", required: ["name"], properties: { name: str } } as const;
const DeleteParams = { type: "object", required: ["name", "id"], properties: { name: str, id: str } } as const;
const IngestBody = {
  type: "object",
  required: ["documents"],
  additionalProperties: false,
  properties: { documents: { type: "array", minItems: 1, items: {} } },
} as const;
const QueryBody = {
  type: "object",
  required: ["query", "collection"],
  additionalProperties: false,
  properties: {
    query: str,
    collection: str,
    model: { type: "string", minLength: 1 },
    top_k: { type: "integer", minimum: 1, maximum: 50 },
    candidates: { type: "integer", minimum: 1, maximum: 1000 },
    score_threshold: { type: "number", minimum: 0, maximum: 1 },
    filters: { type: "object" },
    stream: { type: "boolean" },
  },
} as const;
interface QueryBodyT {
  query: string;
  collection: string;
  model?: string;
  top_k?: number;
  candidates?: number;
  score_threshold?: number;
  filters?: Record<string, unknown>;
  stream?: boolean;
}

const errorObject = {
  type: "object",
  required: ["message", "type", "code"],
  properties: { message: str, type: str, code: str, param: nullable(str) },
} as const;
const ErrorBody = { type: "object", required: ["error"], properties: { error: errorObject } } as const;
const SourceSchema = {
  type: "object",
  required: ["n", "id", "source", "title", "score", "rerank_score"],
  properties: { n: int, id: str, source: str, title: str, score: { type: "number" }, rerank_score: nullable({ type: "number" }), chunk: int },
} as const;
const UsageSchema = { type: "object", properties: { prompt_tokens: int, completion_tokens: int, total_tokens: int } } as const;
const QueryResponse = {
  type: "object",
  properties: { answer: str, sources: { type: "array", items: SourceSchema }, usage: UsageSchema, degraded: { type: "boolean" }, model: str, collection: str },
} as const;
const FailedSchema = {
  type: "object",
  properties: { index: int, id: nullable(str), error: { type: "object", properties: { code: str, message: str, param: nullable(str) } } },
} as const;
const reportProperties = {
  collection: str,
  created: { type: "boolean" },
  ingested: { type: "array", items: { type: "object", properties: { id: str, chunks: int } } },
  failed: { type: "array", items: FailedSchema },
} as const;
const IngestResponse = { type: "object", properties: reportProperties } as const;
/** A batch where nothing was stored: the error, plus the per-document report. */
const IngestFailure = { type: "object", properties: { error: errorObject, ...reportProperties } } as const;
const DeleteResponse = { type: "object", properties: { collection: str, id: str, deleted: int } } as const;
const errorResponses = { 400: ErrorBody, 401: ErrorBody, 403: ErrorBody, 404: ErrorBody, 503: ErrorBody };

function isPrincipal(v: unknown): v is Principal {
  if (typeof v !== "object" || v === null) return false;
  const p = v as Record<string, unknown>;
  return typeof p.subject === "string" && typeof p.tenant === "string" && Array.isArray(p.groups) && Array.isArray(p.scopes);
}

/** Default accessor: the `principal` property the core's auth hook puts on the request. */
export function requestPrincipal(request: FastifyRequest): Principal | undefined {
  const v: unknown = (request as unknown as { principal?: unknown }).principal;
  return isPrincipal(v) ? v : undefined;
}

function requireScope(principal: Principal | undefined, scope: string): Principal {
  if (!principal) throw new RagError(401, "unauthenticated", "authentication required");
  if (!principal.scopes.includes(scope)) throw new RagError(403, "insufficient_scope", `this credential lacks the ${scope} scope`);
  return principal;
}

/** An AbortSignal that fires when the client goes away before the reply is done. */
function clientSignal(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  // The response's "close" (not the request's, which fires once the body is read) tells of a dropped client.
  reply.raw.once("close", () => {
    if (!reply.raw.writableFinished) controller.abort(new Error("client disconnected"));
  });
  return controller.signal;
}

interface StatusError {
  statusCode?: unknown;
  code?: unknown;
  message?: unknown;
  validation?: Array<{ instancePath?: string; message?: string; params?: Record<string, unknown> }>;
  validationContext?: string;
}

/** Renders any error as an OpenAI-style body with its status. */
export function errorReply(error: unknown): { status: number; body: ReturnType<RagError["toBody"]> } {
  if (error instanceof RagError) return { status: error.statusCode, body: error.toBody() };
  const e = (typeof error === "object" && error !== null ? error : {}) as StatusError;
  if (Array.isArray(e.validation)) {
    const first = e.validation[0];
    const missing = typeof first?.params?.missingProperty === "string" ? `/${first.params.missingProperty}` : "";
    const extra = typeof first?.params?.additionalProperty === "string" ? `/${first.params.additionalProperty}` : "";
    const param = `${first?.instancePath ?? ""}${missing}${extra}`.replace(/^\//, "").replace(/\//g, ".") || (e.validationContext ?? "body");
    const what = extra ? "unknown field" : (first?.message ?? "invalid");
    return { status: 400, body: new RagError(400, "invalid_request", `${param}: ${what}`, param).toBody() };
  }
  const status = typeof e.statusCode === "number" && e.statusCode >= 400 && e.statusCode < 600 ? e.statusCode : 500;
  // Fastify's own request errors (bad JSON, empty or oversized body, media type) with the core's codes and messages.
  const known = fastifyErrorBody(e, status);
  if (known) return { status, body: known };
  const code = typeof e.code === "string" && /^[a-z_]+$/.test(e.code) ? e.code : status === 500 ? "internal_error" : "request_failed";
  const message = status === 500 ? "internal error" : typeof e.message === "string" ? e.message : "request failed";
  return { status, body: new RagError(status, code, message).toBody() };
}

/** The RAG routes. Register with `app.register(ragRoutes, options)`; keep it encapsulated (no fastify-plugin). */
export async function ragRoutes(app: FastifyInstance, options: RagRoutesOptions): Promise<void> {
  const services = options.services ?? createRagServices(options);
  const { pipeline, ingest, config } = services;
  const principalOf = options.getPrincipal ?? requestPrincipal;
  const chat = (app as unknown as { chat?: Parameters<typeof chatServiceGenerator>[0] }).chat;
  const generator = options.generator ?? (chat ? chatServiceGenerator(chat) : undefined);
  if (!generator) throw new Error("ragRoutes needs a generator, or the gateway-chat plugin registered before it");
  // Plain JSON serialization for these routes, whatever serializer compiler the app sets (the core's is zod's).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // Our own validator for these routes: reject unknown fields and wrong types instead of Fastify's defaults
  // (which strip unknown fields and coerce types), whatever the app configures elsewhere.
  const ajv = new Ajv({ allErrors: false, coerceTypes: false, removeAdditional: false, useDefaults: false, strict: false });
  app.setValidatorCompiler(({ schema }) => ajv.compile(schema));

  app.setErrorHandler((error, request, reply) => {
    // The core's hooks (auth, requests-per-minute) run before these routes and throw GatewayErrors: their status,
    // body and headers (WWW-Authenticate, Retry-After, x-ratelimit-*) go out as the core sends them.
    if (error instanceof GatewayError) {
      void reply.status(error.statusCode).headers(error.headers).send(error.toBody());
      return;
    }
    const { status, body } = errorReply(error);
    if (status >= 500) request.log.error({ err: error }, "rag request failed");
    void reply.status(status).send(body);
  });

  /** Runs generation under the rag_query span: in our own llm_generation span unless the generator makes one. */
  const generate = <T>(root: Span, fn: (ctx: Context) => Promise<T>): Promise<T> =>
    generator.tracesGeneration
      ? fn(trace.setSpan(otelContext.active(), root))
      : pipeline.child(root, "llm_generation", () => fn(otelContext.active()));

  app.post<{ Params: { name: string }; Body: { documents: unknown[] } }>(
    "/v1/collections/:name/documents",
    {
      schema: { params: IngestParams, body: IngestBody, response: { 200: IngestResponse, 207: IngestResponse, ...errorResponses, 400: IngestFailure, 503: IngestFailure } },
      config: { scope: "rag:ingest", routeId: "rag.ingest" },
    },
    async (request, reply) => {
      requireScope(principalOf(request), "rag:ingest");
      const max = config.ingest.maxDocumentsPerRequest;
      if (request.body.documents.length > max) throw new RagError(400, "too_many_documents", `documents: at most ${max} per request, got ${request.body.documents.length}`, "documents");
      const report = await ingest.ingest(request.params.name, request.body.documents, clientSignal(reply));
      // All stored: 200. Some stored: 207 (see `failed`). None stored: 400 when all were bad input, else 503.
      let status = 200;
      if (report.failed.length > 0) {
        if (report.ingested.length > 0) status = 207;
        else {
          const upstream = report.failed.some((f) => /unavailable|failed|vector_store|stale/.test(f.error.code));
          status = upstream ? 503 : 400;
        }
      }
      if (status === 400 || status === 503) {
        const first = report.failed[0];
        return reply.status(status).send({
          error: {
            message: `no document was stored: ${report.failed.map((f) => `documents.${f.index}${f.id ? ` (${f.id})` : ""}: ${f.error.message}`).join("; ")}`.slice(0, 2000),
            type: status === 400 ? "invalid_request_error" : "service_unavailable",
            code: status === 400 ? (first?.error.code ?? "invalid_document") : "ingest_unavailable",
            param: first?.error.param ?? null,
          },
          ...report,
        });
      }
      return reply.status(status).send(report);
    },
  );

  app.delete<{ Params: { name: string; id: string } }>(
    "/v1/collections/:name/documents/:id",
    { schema: { params: DeleteParams, response: { 200: DeleteResponse, ...errorResponses } }, config: { scope: "rag:ingest", routeId: "rag.delete" } },
    async (request) => {
      requireScope(principalOf(request), "rag:ingest");
      const { id, deleted } = await ingest.deleteDocument(request.params.name, request.params.id);
      return { collection: request.params.name, id, deleted };
    },
  );

  app.post<{ Body: QueryBodyT }>(
    "/v1/rag/query",
    { schema: { body: QueryBody, response: { 200: QueryResponse, ...errorResponses } }, config: { scope: "rag:query", routeId: "rag.query" } },
    async (request, reply) => {
      const principal = requireScope(principalOf(request), "rag:query");
      const body = request.body;
      const model = body.model ?? config.query.defaultModel;
      const signal = clientSignal(reply);
      const started = performance.now();
      const retrieval = await pipeline.retrieve(
        {
          collection: body.collection,
          query: body.query,
          model,
          ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
          ...(body.candidates !== undefined ? { candidates: body.candidates } : {}),
          ...(body.score_threshold !== undefined ? { scoreThreshold: body.score_threshold } : {}),
          ...(body.filters !== undefined ? { filters: body.filters } : {}),
          route: "rag.query",
        },
        principal,
        signal,
      );
      const generation = { model, messages: retrieval.messages, max_tokens: config.context.reservedAnswerTokens };
      const zero: GenerationUsage = { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 };

      if (!body.stream) {
        try {
          if (retrieval.noContext) {
            // Nothing relevant enough: say so, and do not ask the model to guess.
            return { answer: noContextAnswer(body.collection), sources: [], usage: zero, degraded: retrieval.degraded, model, collection: body.collection };
          }
          const genStarted = performance.now();
          const result = await generate(retrieval.span, (ctx) => generator.complete(generation, principal, signal, ctx));
          services.metrics?.stageDuration.observe({ stage: "generate" }, (performance.now() - genStarted) / 1000);
          pipeline.finish(retrieval, body.collection, started);
          // The chat pipeline's headers (token limits, guardrail flags, cache), as the chat route sends them.
          if (result.headers) void reply.headers(result.headers);
          return { answer: result.text, sources: retrieval.sources, usage: result.usage, degraded: retrieval.degraded, model: result.model, collection: body.collection };
        } catch (e) {
          pipeline.finish(retrieval, body.collection, started, e);
          throw e;
        } finally {
          if (retrieval.noContext) pipeline.finish(retrieval, body.collection, started);
        }
      }

      // Streaming: SSE events "sources", "delta"..., "done" (or "error"), then [DONE]. The head waits for the
      // generator's first chunk, which carries the chat pipeline's headers (token limits, guardrail flags, cache)
      // when it has them; a failure before it still goes out as an "error" event under a 200 head, as before.
      reply.hijack();
      const raw = reply.raw;
      const send = (data: unknown): void => {
        raw.write(`data: ${JSON.stringify(data)}\n\n`);
      };
      let opened = false;
      const open = (headers: Readonly<Record<string, string>> = {}): void => {
        if (opened) return;
        opened = true;
        // Headers the core's hooks put on the reply (x-ratelimit-*-requests, ...) go out too: hijacking skips them.
        const core = Object.fromEntries(Object.entries(reply.getHeaders()).filter((e): e is [string, string | number | string[]] => e[1] !== undefined));
        raw.writeHead(200, { ...core, ...headers, "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache", connection: "keep-alive" });
        send({ type: "sources", sources: retrieval.sources, degraded: retrieval.degraded, collection: body.collection });
      };
      let usage = zero;
      let failure: unknown;
      try {
        if (retrieval.noContext) {
          open();
          send({ type: "delta", content: noContextAnswer(body.collection) });
        } else {
          const genStarted = performance.now();
          await generate(retrieval.span, async (ctx) => {
            for await (const chunk of generator.stream(generation, principal, signal, ctx)) {
              open(chunk.headers);
              if (chunk.delta) send({ type: "delta", content: chunk.delta });
              if (chunk.usage) usage = chunk.usage;
            }
          });
          services.metrics?.stageDuration.observe({ stage: "generate" }, (performance.now() - genStarted) / 1000);
        }
        open();
        send({ type: "done", usage, model });
      } catch (e) {
        failure = e;
        open();
        if (!signal.aborted) send({ type: "error", ...errorReply(e).body });
      } finally {
        pipeline.finish(retrieval, body.collection, started, failure);
        raw.end("data: [DONE]\n\n");
      }
      return reply;
    },
  );
}

/** `ragRoutes` bound to its options, for `buildApp({ plugins: [...] })`. */
export function ragRoutesPlugin(options: RagRoutesOptions): (app: FastifyInstance) => Promise<void> {
  return (app) => ragRoutes(app, options);
}
