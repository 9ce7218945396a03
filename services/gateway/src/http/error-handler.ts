/**
 * The one error handler: every failure leaves as an OpenAI-style body {"error":{"message","type","code","param"}}.
 * GatewayErrors carry their own status, code, param and headers; Fastify's own errors (bad JSON, body too large,
 * unsupported media type) keep their 4xx status with a stable code; anything else is a 500 whose details go to
 * the log only.
 */
import fp from "fastify-plugin";
import type { FastifyError, FastifyInstance } from "fastify";
import { GatewayError, errorBody, type ErrorBody } from "./errors";
import { redactUrl } from "./log-redaction";

const fastifyCodes: Record<string, { code: string; message: string; param?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: "invalid_json", message: "the request body is not valid JSON" },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: "invalid_json", message: "the request body is empty; a JSON object is required" },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: "request_too_large", message: "the request body exceeds the gateway's size limit" },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { code: "unsupported_media_type", message: "the request body must be application/json" },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { code: "invalid_content_length", message: "the Content-Length header does not match the body" },
  FST_ERR_CTP_INVALID_TYPE: { code: "invalid_content_type", message: "the Content-Type header is invalid" },
};

/** The gateway's body for one of Fastify's own request errors (bad JSON, body too large, ...), when it is one. */
export function fastifyErrorBody(err: { code?: unknown }, status: number): ErrorBody | undefined {
  const known = typeof err.code === "string" ? fastifyCodes[err.code] : undefined;
  return known && errorBody(status, known.code, known.message, known.param);
}

async function errorHandlerPlugin(app: FastifyInstance): Promise<void> {
  app.setErrorHandler(async (failure: FastifyError | GatewayError, request, reply) => {
    let err = failure;
    // A request that failed before its deferred requests-per-minute charge is still charged; a caller over its
    // limit gets that 429 rather than a report on the request's other faults (src/limits/plugin.ts).
    if (request.requestCharge && !(err instanceof GatewayError && err.statusCode === 429)) {
      try {
        reply.headers(await request.requestCharge());
      } catch (e) {
        if (e instanceof GatewayError) err = e;
      }
    }
    if (err instanceof GatewayError) {
      if (err.statusCode >= 500) request.log.warn({ code: err.code, status: err.statusCode, cause: (err.cause as Error | undefined)?.message }, err.message);
      // 499 is our internal "client went away": nobody reads the answer.
      const status = err.statusCode === 499 ? 499 : err.statusCode;
      return reply.code(status).headers(err.headers).send(err.toBody());
    }
    const status = typeof err.statusCode === "number" && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 500;
    if (status === 500) {
      request.log.error({ err }, "unhandled error");
      return reply.code(500).send(errorBody(500, "internal_error", "the gateway failed to handle the request"));
    }
    const known = fastifyErrorBody(err, status);
    if (known) return reply.code(status).send(known);
    const message = err.message.replace(/^body\//, "");
    return reply.code(status).send(errorBody(status, "invalid_request_error", message.slice(0, 300)));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send(errorBody(404, "unknown_route", `no route ${request.method} ${redactUrl(request.url).slice(0, 200)}`));
  });
}

export const errorHandler = fp(errorHandlerPlugin, { name: "gateway-errors", fastify: "5.x" });
