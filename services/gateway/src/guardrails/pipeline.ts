/**
 * The one pipeline: runs the configured detectors in config order over each text, short-circuits on the first
 * block, merges redactions, counts decisions and times each guard in its own span. Implements the
 * `Guardrails` contract for the request path (input), the answer (output, whole or streamed) and RAG
 * (retrieved documents).
 */
import type { Context } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type {
  ChatMessage,
  ContentPart,
  GuardrailContext,
  GuardrailFinding,
  Guardrails,
  InputGuardrailResult,
  OutputContext,
  OutputGuardrailResult,
  StreamGuard,
} from "../contracts";
import { resolvePolicy, type DetectorId, type GuardrailsConfig, type ResolvedPolicy } from "./config";
import { DETECTORS } from "./detectors";
import { extractUnits, wellFormed } from "./extract";
import type { FeatureMemo } from "./models/linear-model";
import { mergeRedactions, redact } from "./pii/redact";
import { createMetrics, inGuardSpan, type GuardrailMetrics } from "./telemetry";
import type { DetectorDeps, GuardrailLogger, Redaction, Stage, TextClassifier } from "./types";

export interface GuardrailsDeps {
  /** Where llm_gateway_guardrail_* metrics go. @default - a private registry */
  readonly registry?: Registry;
  /** Sequence classifier for the optional TEI layers (injection, toxicity). */
  readonly classifier?: TextClassifier;
  readonly logger?: GuardrailLogger;
}

interface TextVerdict {
  readonly action: "allow" | "redact" | "block";
  readonly findings: GuardrailFinding[];
  readonly redactions: Redaction[];
  readonly block?: { code: string; message: string; guard: string };
  readonly explanations: string[];
}

const isHighSurrogate = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;

const OVERSIZE_BLOCK = (limit: number) => ({ code: "input_too_large", message: `The text to scan exceeds the guardrail limit of ${limit} characters.`, guard: "limits" });

export class GuardrailPipeline implements Guardrails {
  private readonly metrics: GuardrailMetrics;
  private readonly policies = new Map<string, ResolvedPolicy>();
  private readonly detectorDeps: DetectorDeps;

  constructor(
    private readonly config: GuardrailsConfig,
    deps: GuardrailsDeps = {},
  ) {
    this.metrics = createMetrics(deps.registry);
    this.detectorDeps = { ...(deps.classifier ? { classifier: deps.classifier } : {}), ...(deps.logger ? { logger: deps.logger } : {}) };
  }

  /** The effective policy for a route and tenant (cached). */
  policy(ctx: GuardrailContext): ResolvedPolicy {
    const key = `${ctx.route}\u0000${ctx.tenant}`;
    let p = this.policies.get(key);
    if (!p) {
      p = resolvePolicy(this.config, ctx.route, ctx.tenant);
      if (this.policies.size > 10_000) this.policies.clear();
      this.policies.set(key, p);
    }
    return p;
  }

  /** Runs `ids` over one text. */
  async scan(text: string, ids: readonly DetectorId[], stage: Stage, policy: ResolvedPolicy, extra: { output?: OutputContext; complete?: boolean; data?: boolean; trace?: Context } = {}): Promise<TextVerdict> {
    const origin = extra.data || stage === "retrieved" ? "data" : "user";
    const findings: GuardrailFinding[] = [];
    const redactions: Redaction[] = [];
    const explanations: string[] = [];
    const memo: FeatureMemo = {};
    for (const id of ids) {
      const detector = DETECTORS[id];
      const started = performance.now();
      const v = await inGuardSpan(id, stage, extra.trace ?? extra.output?.traceContext, () =>
        detector.run({ text, stage, policy, origin, memo, complete: extra.complete ?? true, ...(extra.output ? { output: extra.output } : {}) }, this.detectorDeps),
      );
      this.metrics.duration(id, (performance.now() - started) / 1000);
      const action = v.flagged ? "flag" : v.action;
      if (v.findings.length === 0) this.metrics.decision(id, action, "none");
      else for (const t of new Set(v.findings.map((f) => f.type))) this.metrics.decision(id, action, t);
      if (v.flagged) {
        // Types and scores only, never the text.
        this.detectorDeps.logger?.warn({ guard: id, stage, findings: v.findings.map((f) => ({ type: f.type, score: f.score })) }, "guardrail flagged content below its block tier; deferring to the in-cluster classifiers");
        findings.push(...v.findings.map((f) => ({ ...f, flagged: true })));
        explanations.push(`${id}: ${v.explanation}`);
        continue;
      }
      findings.push(...v.findings);
      explanations.push(`${id}: ${v.explanation}`);
      if (v.action === "block") {
        const block = v.block ?? { code: "content_policy", message: "The content was blocked by a guardrail." };
        return { action: "block", findings, redactions, block: { ...block, guard: id }, explanations };
      }
      if (v.action === "redact" && v.redactions) redactions.push(...v.redactions);
    }
    return { action: redactions.length > 0 ? "redact" : "allow", findings, redactions, explanations };
  }

  async checkInput(messages: readonly ChatMessage[], ctx: GuardrailContext): Promise<InputGuardrailResult> {
    if (!this.config.enabled) return { action: "allow", messages, containsPii: false, findings: [] };
    const policy = this.policy(ctx);
    const { units, oversize } = extractUnits(messages, policy);
    if (oversize) {
      this.metrics.decision("limits", "block", "input_too_large");
      return { action: "block", messages, containsPii: false, findings: [], block: OVERSIZE_BLOCK(policy.limits.maxScanChars) };
    }
    const injectionOnly = policy.input.detectors.filter((d) => d === "injection");
    const results = await Promise.all(units.map((u) => this.scan(u.text, u.injectionOnly ? injectionOnly : policy.input.detectors, "input", policy, { data: u.data, ...(ctx.traceContext ? { trace: ctx.traceContext } : {}) })));
    const findings: GuardrailFinding[] = [];
    results.forEach((r, k) => findings.push(...r.findings.map((f) => ({ ...f, messageIndex: (units[k] as (typeof units)[number]).messageIndex }))));
    const containsPii = findings.some((f) => f.guard === "pii");
    const blocked = results.find((r) => r.action === "block");
    if (blocked?.block) return { action: "block", messages, containsPii, findings, block: blocked.block };
    if (!results.some((r) => r.action === "redact")) return { action: "allow", messages, containsPii, findings };
    // Rebuild only the messages (and parts) that had redactions.
    const copy: ChatMessage[] = messages.map((m) => ({ ...m, content: Array.isArray(m.content) ? [...(m.content as readonly ContentPart[])] : m.content }));
    results.forEach((r, k) => {
      if (r.action !== "redact") return;
      const u = units[k] as (typeof units)[number];
      const text = redact(u.text, r.redactions);
      const msg = copy[u.messageIndex] as ChatMessage;
      if (u.partIndex === undefined) copy[u.messageIndex] = { ...msg, content: text };
      else {
        const parts = msg.content as ContentPart[];
        parts[u.partIndex] = { ...(parts[u.partIndex] as ContentPart), type: "text", text };
      }
    });
    return { action: "redact", messages: copy, containsPii, findings };
  }

  async checkOutput(text: string, ctx: OutputContext): Promise<OutputGuardrailResult> {
    if (!this.config.enabled) return { action: "allow", text, findings: [] };
    return this.outputVerdict(wellFormed(text), ctx, true);
  }

  private async outputVerdict(text: string, ctx: OutputContext, complete: boolean, ids?: readonly DetectorId[]): Promise<OutputGuardrailResult> {
    return (await this.outputScan(text, ctx, complete, ids)).result;
  }

  /** The output verdict, with the redaction spans it applied (redacting streams release text by them). */
  private async outputScan(text: string, ctx: OutputContext, complete: boolean, ids?: readonly DetectorId[]): Promise<{ result: OutputGuardrailResult; redactions: readonly Redaction[] }> {
    const policy = this.policy(ctx);
    if (text.length > policy.limits.maxScanChars && !(ids ?? policy.output.detectors).includes("length")) {
      this.metrics.decision("limits", "block", "output_too_large");
      return { result: { action: "block", text: "", findings: [], block: { code: "output_too_long", message: `The answer exceeds the guardrail scan limit of ${policy.limits.maxScanChars} characters.`, guard: "limits" } }, redactions: [] };
    }
    const limit = Math.min(policy.limits.maxScanChars, policy.output.maxChars);
    const detectors = text.length > limit ? (["length"] as const) : (ids ?? policy.output.detectors);
    const r = await this.scan(text, text.length > limit && !detectors.includes("length") ? ["length"] : detectors, "output", policy, { output: ctx, complete });
    if (r.action === "block") {
      return { result: { action: "block", text: "", findings: r.findings, block: r.block ?? { code: "content_policy", message: "The answer was blocked.", guard: "output" } }, redactions: [] };
    }
    return { result: { action: r.action, text: r.action === "redact" ? redact(text, r.redactions) : text, findings: r.findings }, redactions: r.action === "redact" ? r.redactions : [] };
  }

  streamGuard(ctx: OutputContext): StreamGuard {
    const enabled = this.config.enabled;
    const policy = this.policy(ctx);
    const windowDetectors = policy.output.detectors.filter((d) => d !== "json" && d !== "length");
    const overlap = policy.output.streamOverlapChars;
    const holdBack = policy.output.streamHoldBackChars;
    let buffer = "";
    let scanned = 0;
    /** Redacting mode: characters of `buffer` already released (as redacted text). */
    let released = 0;
    let blocked: OutputGuardrailResult | undefined;

    /** Appends a delta and scans the new text with `from` characters of left context; a block is remembered. */
    const scanDelta = async (delta: string, from: number): Promise<{ blocked?: OutputGuardrailResult; redactions: readonly Redaction[] }> => {
      buffer += delta;
      if (buffer.length > policy.output.maxChars || buffer.length > policy.limits.maxScanChars) {
        blocked = await this.outputVerdict(buffer, ctx, false, ["length"]);
        if (blocked.action !== "block") blocked = { action: "block", text: "", findings: [], block: { code: "output_too_long", message: "The answer exceeded the guardrail scan limit.", guard: "limits" } };
        return { blocked, redactions: [] };
      }
      const window = wellFormed(buffer.slice(from));
      scanned = buffer.length;
      const r = await this.scan(window, windowDetectors, "output", policy, { output: ctx, complete: false });
      if (r.action === "block") {
        blocked = { action: "block", text: "", findings: r.findings.map((f) => (f.start === undefined ? f : { ...f, start: f.start + from, end: (f.end ?? f.start) + from })), block: r.block ?? { code: "content_policy", message: "The answer was blocked.", guard: "output" } };
        return { blocked, redactions: [] };
      }
      return { redactions: from === 0 ? r.redactions : r.redactions.map((x) => ({ ...x, start: x.start + from, end: x.end + from })) };
    };

    /** buffer[a, b) with the spans that touch it (clipped to it) replaced by placeholders. */
    const releaseRange = (a: number, b: number, spans: readonly Redaction[]): string => {
      const inside: Redaction[] = [];
      for (const x of spans) if (x.end > a && x.start < b) inside.push({ type: x.type, start: Math.max(x.start, a) - a, end: Math.min(x.end, b) - a });
      released = b;
      return redact(buffer.slice(a, b), inside);
    };

    return {
      push: async (delta: string) => {
        if (!enabled) return undefined;
        if (blocked) return blocked;
        // Re-scan `overlap` characters of already-seen text so an entity split across deltas is caught whole.
        return (await scanDelta(delta, Math.max(0, scanned - overlap))).blocked;
      },
      end: async () => {
        if (!enabled) return { action: "allow", text: buffer, findings: [] };
        if (blocked) return blocked;
        return this.outputVerdict(wellFormed(buffer), ctx, true);
      },
      pushRedacting: async (delta: string) => {
        if (!enabled) return { emit: delta };
        if (blocked) return { emit: "", blocked };
        // Everything not yet released is re-scanned, with `overlap` characters of released text as left context.
        const r = await scanDelta(delta, Math.max(0, released - overlap));
        if (r.blocked) return { emit: "", blocked: r.blocked };
        // Release all but the last `holdBack` characters, never cutting through a redaction span (nor a
        // surrogate pair): the cut moves left to the span's start and the span waits for more context.
        let safe = buffer.length - holdBack;
        for (const x of mergeRedactions(r.redactions)) if (x.start < safe && x.end > safe) safe = x.start;
        if (safe > released && isHighSurrogate(buffer.charCodeAt(safe - 1))) safe--;
        if (safe <= released) return { emit: "" };
        return { emit: releaseRange(released, safe, r.redactions) };
      },
      endRedacting: async () => {
        if (!enabled) return { emit: "" };
        if (blocked) return { emit: "", blocked };
        // The whole-answer checks (JSON, length, the classifier on the complete text) and its redactions,
        // found with full context, decide the held-back rest.
        const whole = await this.outputScan(wellFormed(buffer), ctx, true);
        if (whole.result.action === "block") {
          blocked = whole.result;
          return { emit: "", blocked };
        }
        return { emit: releaseRange(released, buffer.length, whole.redactions) };
      },
    };
  }

  async checkRetrieved(texts: readonly string[], ctx: GuardrailContext): Promise<{ readonly dropped: readonly number[]; readonly findings: readonly GuardrailFinding[] }> {
    if (!this.config.enabled) return { dropped: [], findings: [] };
    const policy = this.policy(ctx);
    const dropped: number[] = [];
    const findings: GuardrailFinding[] = [];
    const results = await Promise.all(
      texts.map((t) => (t.length > policy.limits.maxScanChars ? undefined : this.scan(wellFormed(t), policy.retrieved.detectors, "retrieved", policy, ctx.traceContext ? { trace: ctx.traceContext } : {}))),
    );
    results.forEach((r, i) => {
      // A document too large to scan is dropped, never passed unscanned.
      if (!r) {
        dropped.push(i);
        findings.push({ guard: "limits", type: "too_large_to_scan", score: 1, messageIndex: i });
        return;
      }
      findings.push(...r.findings.map((f) => ({ ...f, messageIndex: i })));
      if (r.action === "block" || (policy.retrieved.dropFlagged && r.findings.some((f) => f.flagged === true))) dropped.push(i);
    });
    return { dropped, findings };
  }
}
