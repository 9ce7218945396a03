/**
 * OpenTelemetry tracing. The provider is configured from the standard OTEL_* environment variables: an OTLP/HTTP
 * exporter is attached only when OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (the
 * exporter itself reads the endpoint, headers and timeout), OTEL_SERVICE_NAME names the service, and
 * OTEL_SDK_DISABLED=true turns tracing off. Spans are always created (so logs carry real trace ids and
 * traceparent is propagated) even when nothing is exported; then they are non-recording (PropagatingTracer).
 */
import { context, propagation, trace, type Context, type Span, type Tracer, SpanStatusCode } from "@opentelemetry/api";
import { NodeTracerProvider, BatchSpanProcessor, type SpanProcessor } from "@opentelemetry/sdk-trace-node";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { PropagatingTracer } from "./propagating-tracer";

export const TRACER_NAME = "llm-gateway";

/** The tracer when nothing is exported: stateless, so one serves every caller (guard spans ask per span). */
const propagatingTracer = new PropagatingTracer();

/** Set by initTracing: true when no span processor is configured, so nothing would read a recorded span. */
let nothingExported = false;

/** Registers the global tracer provider and W3C propagator; returns a shutdown function that flushes spans. */
export function initTracing(serviceName: string, env: NodeJS.ProcessEnv = process.env, extraProcessors: SpanProcessor[] = []): () => Promise<void> {
  if (env.OTEL_SDK_DISABLED === "true") return async () => {};
  const processors: SpanProcessor[] = [...extraProcessors];
  if (env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) processors.push(new BatchSpanProcessor(new OTLPTraceExporter()));
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: env.OTEL_SERVICE_NAME ?? serviceName, [ATTR_SERVICE_VERSION]: "0.1.0" }),
    spanProcessors: processors,
  });
  provider.register();
  nothingExported = processors.length === 0;
  return async () => {
    nothingExported = false;
    await provider.shutdown();
  };
}

/**
 * The gateway's tracer: the registered provider's, or, when initTracing found no exporter or processor, a
 * PropagatingTracer (fresh span ids and W3C propagation exactly as before, no recording).
 */
export function defaultTracer(): Tracer {
  return nothingExported ? propagatingTracer : trace.getTracer(TRACER_NAME);
}

/** Extracts the caller's trace context from incoming headers. */
export function extractContext(headers: Record<string, string | string[] | undefined>): Context {
  return propagation.extract(context.active(), headers);
}

/** The traceparent/tracestate headers for an upstream call made within `span`. */
export function injectHeaders(ctx: Context, headers: Record<string, string>): Record<string, string> {
  propagation.inject(ctx, headers);
  return headers;
}

/**
 * Runs `fn` inside a child span of `parent`, recording errors; the span ends when `fn` settles. `child()` gives the
 * context with this span (for grandchildren or traceparent); it is built only when asked for: a context is a Map
 * copy and three closures, and most stages have no children.
 */
export function inSpan<T>(tracer: Tracer, name: string, parent: Context, fn: (span: Span, child: () => Context) => Promise<T>): Promise<T> {
  const span = tracer.startSpan(name, {}, parent);
  let ctx: Context | undefined;
  const child = (): Context => (ctx ??= trace.setSpan(parent, span));
  const failed = (e: unknown): never => {
    span.setStatus({ code: SpanStatusCode.ERROR, message: (e as Error).name });
    span.end();
    throw e;
  };
  let running: Promise<T>;
  try {
    running = fn(span, child);
  } catch (e) {
    return Promise.reject(e).catch(failed);
  }
  return running.then((value) => {
    span.end();
    return value;
  }, failed);
}
