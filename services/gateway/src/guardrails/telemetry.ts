/**
 * Metrics (docs/metrics.md) and one trace span per guard. Metrics are created on the given registry once;
 * a second pipeline on the same registry reuses them.
 */
import { context as otelContext, SpanStatusCode, type Context } from "@opentelemetry/api";
import { defaultTracer } from "../telemetry/tracing";
import { Counter, Histogram, Registry } from "prom-client";
import type { GuardrailAction } from "../contracts";

export interface GuardrailMetrics {
  /** `flag`: an allow below a local layer's block tier (docs/decisions/0090). */
  decision(guard: string, action: GuardrailAction | "flag", entityType: string): void;
  duration(guard: string, seconds: number): void;
}

export function createMetrics(registry: Registry | undefined): GuardrailMetrics {
  const reg = registry ?? new Registry();
  const decisions =
    (reg.getSingleMetric("llm_gateway_guardrail_decisions_total") as Counter<"guard" | "action" | "entity_type"> | undefined) ??
    new Counter({ name: "llm_gateway_guardrail_decisions_total", help: "Guardrail verdicts by guard, action and entity type", labelNames: ["guard", "action", "entity_type"], registers: [reg] });
  const durations =
    (reg.getSingleMetric("llm_gateway_guardrail_duration_seconds") as Histogram<"guard"> | undefined) ??
    new Histogram({ name: "llm_gateway_guardrail_duration_seconds", help: "Guardrail latency per guard", labelNames: ["guard"], buckets: [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1], registers: [reg] });
  // Label children cached per label combination (guards × actions × entity types: a small, config-bounded
  // set): `inc(labels)` / `observe(labels, v)` hash the label object on every call, a visible share of a
  // check's per-detector cost and garbage.
  const decisionChildren = new Map<string, Map<string, Map<string, { inc(): void }>>>();
  const durationChildren = new Map<string, { observe(v: number): void }>();
  return {
    decision: (guard, action, entityType) => {
      let byAction = decisionChildren.get(guard);
      if (!byAction) decisionChildren.set(guard, (byAction = new Map()));
      let byType = byAction.get(action);
      if (!byType) byAction.set(action, (byType = new Map()));
      let child = byType.get(entityType);
      if (!child) byType.set(entityType, (child = decisions.labels({ guard, action, entity_type: entityType })));
      child.inc();
    },
    duration: (guard, seconds) => {
      let child = durationChildren.get(guard);
      if (!child) durationChildren.set(guard, (child = durations.labels({ guard })));
      child.observe(seconds);
    },
  };
}

/**
 * Runs `fn` in a span named `guardrail.<guard>`, a child of `parent` (default: the active context); the span
 * records the action and finding count, never values. The gateway's tracer (src/telemetry/tracing.ts
 * defaultTracer: non-recording when nothing is exported), and no active-context switch: detectors make no spans of
 * their own, and an AsyncLocalStorage run per guard per check was a visible share of the guardrails' cost.
 */
export async function inGuardSpan<T extends { action: GuardrailAction; findings: readonly unknown[] }>(guard: string, stage: string, parent: Context | undefined, fn: () => T | Promise<T>): Promise<T> {
  const span = defaultTracer().startSpan(`guardrail.${guard}`, { attributes: { "guardrail.guard": guard, "guardrail.stage": stage } }, parent ?? otelContext.active());
  try {
    const v = await fn();
    span.setAttribute("guardrail.action", v.action);
    span.setAttribute("guardrail.findings", v.findings.length);
    return v;
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw err;
  } finally {
    span.end();
  }
}
