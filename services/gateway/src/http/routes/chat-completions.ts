/**
 * POST /v1/chat/completions: OpenAI's chat API, non-streaming (JSON) or `stream: true` (server-sent events
 * ending with `data: [DONE]`). The route only adapts HTTP to the ChatService: abort on client disconnect, cache
 * directives from headers, headers and the SSE body out.
 */
import { Readable } from "node:stream";
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { directivesFromHeaders } from "../../cache/response-cache";
import { chatCompletionBodySchema, chatCompletionResponseSchema } from "../../chat/request-schema";
import { GatewayError } from "../errors";
import type { ZodTypeProvider } from "../zod-type-provider";
import { clientAbortSignal } from "./client-abort";

const errorSchema = z.object({ error: z.object({ message: z.string(), type: z.string(), code: z.string(), param: z.string().nullable() }) });

export async function chatCompletionsRoute(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/v1/chat/completions",
    {
      schema: {
        body: chatCompletionBodySchema,
        // 200 is the JSON completion, or (stream: true) the SSE stream, which Fastify pipes without serializing.
        response: { 200: z.union([chatCompletionResponseSchema, z.instanceof(Readable)]), "4xx": errorSchema, "5xx": errorSchema },
      },
      config: { scope: "chat", routeId: "chat.completions", deferRequestCharge: true },
    },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new GatewayError(401, "missing_credentials", "authentication required");
      const signal = clientAbortSignal(reply);
      const opts = {
        route: "chat.completions",
        traceContext: request.telemetry.ctx,
        cache: directivesFromHeaders(request.headers, app.config.cache.optInHeader),
        timing: request.telemetry,
        ...(request.requestChargeWithTokens ? { chargeRequest: request.requestChargeWithTokens } : {}),
      };
      const body = request.body;
      if (body.stream === true) {
        const s = await app.chat.stream(body, principal, signal, opts);
        request.telemetry.model = s.model;
        reply
          .headers(s.headers)
          .header("content-type", "text/event-stream; charset=utf-8")
          .header("cache-control", "no-cache")
          .header("x-accel-buffering", "no")
          .header("x-cache", "bypass")
          .header("x-gateway-model", s.model);
        return reply.send(Readable.from(s.events));
      }
      const r = await app.chat.complete(body, principal, signal, opts);
      request.telemetry.model = r.model;
      reply.headers(r.headers).header("x-cache", r.cache).header("x-gateway-model", r.model);
      return r.rag ? { ...r.response, rag: { sources: r.rag.sources, degraded: r.rag.degraded, no_context: r.rag.noContext } } : r.response;
    },
  );
}
