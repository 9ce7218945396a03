import { context, propagation, trace, TraceFlags, type Context } from "@opentelemetry/api";
import { PropagatingTracer, randomHex } from "./propagating-tracer";
import { defaultTracer, initTracing } from "./tracing";

const tracer = new PropagatingTracer();
const parentCtx = (flags: number): Context =>
  trace.setSpanContext(context.active(), { traceId: "0af7651916cd43dd8448eb211c80319c", spanId: "b7ad6b7169203331", traceFlags: flags, isRemote: true });

test("a child span keeps the parent's trace id and flags, gets a fresh valid span id, and records nothing", () => {
  for (const flags of [TraceFlags.SAMPLED, TraceFlags.NONE]) {
    const span = tracer.startSpan("auth", {}, parentCtx(flags));
    const sc = span.spanContext();
    expect(sc.traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(sc.spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(sc.spanId).not.toBe("b7ad6b7169203331");
    expect(sc.traceFlags).toBe(flags);
    expect(trace.isSpanContextValid(sc)).toBe(true);
    expect(span.isRecording()).toBe(false);
    span.setAttribute("x", 1).end();
  }
});

test("without a parent (or with root: true) a new sampled trace starts", () => {
  const a = tracer.startSpan("request", {}, context.active()).spanContext();
  const b = tracer.startSpan("request", { root: true }, parentCtx(TraceFlags.SAMPLED)).spanContext();
  for (const sc of [a, b]) {
    expect(sc.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(sc.traceId).not.toBe("0af7651916cd43dd8448eb211c80319c");
    expect(sc.traceFlags).toBe(TraceFlags.SAMPLED);
  }
});

test("initTracing without an exporter: the default tracer is a PropagatingTracer and traceparent names the child span", async () => {
  const stop = initTracing("test", {});
  try {
    const t = defaultTracer();
    expect(t).toBeInstanceOf(PropagatingTracer);
    const span = t.startSpan("llm_generation", {}, parentCtx(TraceFlags.SAMPLED));
    const headers: Record<string, string> = {};
    propagation.inject(trace.setSpan(context.active(), span), headers);
    expect(headers.traceparent).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span.spanContext().spanId}-01`);
  } finally {
    await stop();
  }
  expect(defaultTracer()).not.toBeInstanceOf(PropagatingTracer);
});

test("startActiveSpan passes the span and returns the function's value", () => {
  let got = "";
  const r = tracer.startActiveSpan("x", {}, parentCtx(TraceFlags.SAMPLED), (span) => {
    got = span.spanContext().traceId;
    return 42;
  });
  expect(r).toBe(42);
  expect(got).toBe("0af7651916cd43dd8448eb211c80319c");
  expect(tracer.startActiveSpan("y", (span) => span.spanContext().traceId.length)).toBe(32);
});

test("random ids are hex of the requested length and not constant", () => {
  const ids = new Set(Array.from({ length: 1000 }, () => randomHex(8)));
  expect(ids.size).toBe(1000);
  for (const id of ids) expect(id).toMatch(/^[0-9a-f]{16}$/);
  expect(randomHex(16)).toMatch(/^[0-9a-f]{32}$/);
});
