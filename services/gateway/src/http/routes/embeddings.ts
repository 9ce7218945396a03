/**
 * POST /v1/embeddings: forwarded to the embedding deployment's OpenAI-compatible endpoint (TEI serves
 * /v1/embeddings) through the same routing (retries, circuit breakers) and token limits as chat.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { countTokens } from "../../limits/token-counter";
import { deadline as requestDeadline } from "../../chat/deadline";
import { GatewayError } from "../errors";
import type { ZodTypeProvider } from "../zod-type-provider";
import { upstreamFailure } from "../../chat/upstream-errors";
import { UpstreamError, classifyError } from "../../upstreams/openai-client";
import { injectHeaders } from "../../telemetry/tracing";
import { clientAbortSignal } from "./client-abort";

export const embeddingsBodySchema = z.looseObject({
  model: z.string().min(1, "must be a non-empty model name").max(256),
  input: z.union([
    z.string().min(1, "must not be empty"),
    z.array(z.string().min(1, "must not be empty")).min(1).max(2048),
    z.array(z.number().int().min(0)).min(1).max(8192),
    z.array(z.array(z.number().int().min(0)).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(["float", "base64"]).optional(),
  dimensions: z.number().int().min(1).optional(),
  user: z.string().max(256).optional(),
});

const embeddingsResponse = z.looseObject({
  object: z.literal("list"),
  data: z.array(z.looseObject({ object: z.literal("embedding"), index: z.number(), embedding: z.union([z.array(z.number()), z.string()]) })),
  model: z.string(),
  usage: z.looseObject({ prompt_tokens: z.number(), total_tokens: z.number() }).optional(),
});
type EmbeddingsResponse = z.output<typeof embeddingsResponse>;

export async function embeddingsRoute(app: FastifyInstance): Promise<void> {
  app.withTypeProvider<ZodTypeProvider>().post(
    "/v1/embeddings",
    { schema: { body: embeddingsBodySchema, response: { 200: embeddingsResponse } }, config: { scope: "embeddings", routeId: "embeddings" } },
    async (request, reply) => {
      const principal = request.principal;
      if (!principal) throw new GatewayError(401, "missing_credentials", "authentication required");
      const body = request.body;
      const plan = app.modelRouter.plan(body.model, principal, { kind: "embedding" });
      const deployment = app.modelRouter.deployments.get(plan.model);
      const tokenizer = deployment?.cfg.tokenizer ?? "llama3";
      const inputs = typeof body.input === "string" ? [body.input] : body.input;
      let estimate = 0;
      for (const i of inputs) estimate += typeof i === "string" ? countTokens(tokenizer, i, app.config.limits.exactTokenCountChars) : Array.isArray(i) ? i.length : 1;
      reply.headers(await app.rateLimits.consumeTokens(principal, estimate));
      const signal = clientAbortSignal(reply);
      const whole = requestDeadline(signal, app.config.routing.requestTimeoutMs);
      const deadline = whole.signal;
      const attempt = await app.modelRouter.execute(plan.chain, deadline, request.telemetry, async (replica, d) => {
        const res = await replica.client.post("/v1/embeddings", JSON.stringify({ ...body, model: d.cfg.upstreamModel }), {
          signal: deadline,
          headersTimeoutMs: app.config.routing.firstByteTimeoutMs,
          bodyTimeoutMs: app.config.routing.idleTimeoutMs,
          headers: injectHeaders(request.telemetry.ctx, {}),
        });
        if (res.status !== 200) throw await upstreamFailure(res);
        try {
          const json = (await res.body.json()) as EmbeddingsResponse;
          if (!json || !Array.isArray(json.data)) throw new UpstreamError("bad_response", "embedding answer has no data");
          return json;
        } catch (e) {
          throw e instanceof UpstreamError ? e : classifyError(e, deadline);
        }
      }).finally(() => whole.dispose());
      attempt.release();
      request.telemetry.model = attempt.model;
      const usage = attempt.value.usage;
      if (usage) {
        app.metrics.tokens.inc({ model: attempt.model, type: "prompt" }, usage.prompt_tokens);
        void app.rateLimits.adjustTokens(principal, usage.total_tokens - estimate);
      }
      return { ...attempt.value, model: attempt.model };
    },
  );
}
