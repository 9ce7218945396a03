/**
 * Request telemetry: a span per request (continuing the caller's W3C trace), the trace id on every log line of
 * the request, llm_gateway_requests_total / _request_duration_seconds / _overhead_seconds on completion, and the
 * x-gateway-overhead-ms header (time not spent waiting on upstreams; for streams, up to the first byte).
 *
 * Both clocks (the header and the histograms) start when Node's HTTP server emits the request (decision 0086),
 * before Fastify's routing and hooks: for a request head that arrives in one read (any head under the socket's
 * read size, i.e. practically every API call) that is the moment the process read the request's first byte.
 * They leave out the time before that read: bytes waiting in the kernel's socket buffer (or a new connection
 * in the accept queue) while the event loop was busy with other work. That wait is what
 * llm_gateway_event_loop_delay_seconds measures (how late the loop gets to a ready socket or timer).
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import type { IncomingMessage } from "node:http";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { SpanKind, SpanStatusCode, TraceFlags, trace } from "@opentelemetry/api";
import { extractContext } from "./tracing";
import { randomHex } from "./propagating-tracer";

/** When the HTTP server emitted the request (performance.now()), set on the raw request. */
const ARRIVED_AT = Symbol("llm-gateway.arrivedAt");
type Stamped = IncomingMessage & { [ARRIVED_AT]?: number };

/** performance.now() at which the HTTP server emitted this request; undefined for a request it never stamped. */
export function arrivedAt(req: IncomingMessage): number | undefined {
  return (req as Stamped)[ARRIVED_AT];
}

async function telemetryPlugin(app: FastifyInstance): Promise<void> {
  app.decorateRequest("telemetry", undefined as never);
  // Before Fastify's own listener (attached when the server was created): the earliest JavaScript sees a request.
  app.server.prependListener("request", (req: Stamped) => {
    req[ARRIVED_AT] = performance.now();
  });
  // How late the event loop runs a 10-ms timer: the wait of a request that is ready on its socket while the loop
  // is busy (left out of the overhead). Read and reset at each scrape.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  app.metrics.eventLoopDelay.setSource(loopDelay);
  app.addHook("onClose", async () => loopDelay.disable());

  app.addHook("onRequest", async (request) => {
    // The request id (Fastify's log label "trace_id") is the W3C trace id: the caller's, or a fresh one we
    // start the trace with, so every log line of the request, Fastify's own included, joins the trace.
    let parent = extractContext(request.headers);
    if (!trace.getSpanContext(parent)) {
      parent = trace.setSpanContext(parent, { traceId: request.id, spanId: randomHex(8), traceFlags: TraceFlags.SAMPLED, isRemote: true });
    }
    const route = request.routeOptions.config?.routeId ?? request.routeOptions.url ?? "unmatched";
    const span = app.tracer.startSpan(`${request.method} ${route}`, { kind: SpanKind.SERVER, attributes: { "http.request.method": request.method, "http.route": route } }, parent);
    const traceId = span.spanContext().traceId;
    request.telemetry = { startedAt: arrivedAt(request.raw) ?? performance.now(), span, ctx: trace.setSpan(parent, span), upstreamMs: 0, model: "none" };
    if (traceId !== request.id) request.log = request.log.child({ trace_id: traceId });
  });

  app.addHook("onSend", async (request, reply, payload) => {
    const t = request.telemetry;
    if (t && !reply.hasHeader("x-gateway-overhead-ms")) {
      reply.header("x-gateway-overhead-ms", Math.max(0, performance.now() - t.startedAt - t.upstreamMs).toFixed(3));
    }
    return payload;
  });

  app.addHook("onResponse", async (request, reply) => {
    const t = request.telemetry;
    if (!t) return;
    const route = request.routeOptions.config?.routeId ?? request.routeOptions.url ?? "unmatched";
    const elapsed = performance.now() - t.startedAt;
    const status = reply.statusCode;
    app.metrics.requests.inc({ route, model: t.model, status: String(status) });
    app.metrics.requestDuration.observe({ route, model: t.model }, elapsed / 1000);
    app.metrics.overhead.observe({ route }, Math.max(0, elapsed - t.upstreamMs) / 1000);
    t.span.setAttribute("http.response.status_code", status);
    if (status >= 500) t.span.setStatus({ code: SpanStatusCode.ERROR });
    t.span.end();
  });
}

const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * Fastify genReqId: the incoming traceparent's trace id, or a fresh random one. Trace ids need uniqueness, not
 * secrecy: Math.random ids as the OpenTelemetry SDK makes them (crypto.randomBytes, synchronous, was 2.8 % of the
 * gateway's CPU under load).
 */
export function traceRequestId(req: IncomingMessage): string {
  const tp = req.headers.traceparent;
  const m = typeof tp === "string" ? TRACEPARENT.exec(tp) : null;
  return m && m[1] !== "00000000000000000000000000000000" ? (m[1] as string) : randomHex(16);
}

export const telemetry = fp(telemetryPlugin, { name: "gateway-telemetry", fastify: "5.x", dependencies: ["gateway-errors"] });
