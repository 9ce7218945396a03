/**
 * The `guardrails` section of the gateway config file.
 *
 * One shape, `policy`, says which detectors run and how; the base section is a policy, and `routes.<id>` and
 * `tenants.<id>` are partial policies merged over it (base → route → tenant; objects merge key by key, arrays
 * and scalars replace). Every field is optional: the defaults live in DEFAULT_POLICY below, so a config file
 * only states what differs. See README.md ("Guardrails") for the reference and
 * docs/decisions/0041-guardrail-policy-overrides.md for why overrides are partial policies.
 */
import { z } from "zod";

export const PII_ENTITY_TYPES = ["EMAIL_ADDRESS", "PHONE_NUMBER", "CREDIT_CARD", "US_SSN", "IP_ADDRESS", "PERSON"] as const;
export type PiiEntityType = (typeof PII_ENTITY_TYPES)[number];

export const DETECTOR_IDS = ["pii", "injection", "profanity", "toxicity", "topics", "length", "json"] as const;
export type DetectorId = (typeof DETECTOR_IDS)[number];

const action = z.enum(["allow", "redact", "block"]);
const score = z.number().min(0).max(1);
const detectorList = z.array(z.enum(DETECTOR_IDS)).max(DETECTOR_IDS.length);
const role = z.enum(["system", "developer", "user", "assistant", "tool"]);

const entityPolicy = z.strictObject({
  /** What to do when found: redact → `<TYPE>` placeholder, block → `pii_blocked`, allow → record only. */
  action: action.optional(),
  /** Minimum confidence (after context words) for a finding to count. */
  threshold: score.optional(),
});

const policyShape = {
  limits: z
    .strictObject({
      /** Most characters scanned per request (all scanned messages together, or one output). */
      maxScanChars: z.number().int().min(1).optional(),
      /** Over the limit: "reject" throws a 413 error, "block" returns a block verdict (`input_too_large`). */
      oversize: z.enum(["reject", "block"]).optional(),
    })
    .optional(),
  input: z
    .strictObject({
      /** Detectors run on user and tool messages, in this order. */
      detectors: detectorList.optional(),
      /** Roles whose messages every input detector scans. */
      roles: z.array(role).optional(),
      /** Roles scanned for prompt injection only (e.g. ["system"] when system prompts come from callers). */
      injectionOnlyRoles: z.array(role).optional(),
    })
    .optional(),
  output: z
    .strictObject({
      /** Detectors run on the answer, in this order. */
      detectors: detectorList.optional(),
      /** Longest answer allowed, in characters. */
      maxChars: z.number().int().min(1).optional(),
      /** Streaming: characters of already-scanned text re-scanned with each new delta (catches split entities). */
      streamOverlapChars: z.number().int().min(0).max(4096).optional(),
      /**
       * Redacting streams (StreamGuard.pushRedacting): characters held back from the end of the answer so far
       * until they have been scanned with this much right context (longer than the entities and their context
       * words, so a released span is final).
       */
      streamHoldBackChars: z.number().int().min(0).max(4096).optional(),
    })
    .optional(),
  retrieved: z
    .strictObject({
      /** Detectors run on each retrieved document; a document with a block verdict is dropped. */
      detectors: detectorList.optional(),
      /**
       * Also drop a document a local layer flagged (below its block tier): a dropped chunk is not a refusal, the
       * answer still comes from the other documents, so retrieval can afford the lower tier. docs/decisions/0090.
       */
      dropFlagged: z.boolean().optional(),
    })
    .optional(),
  pii: z
    .strictObject({
      /** Regions phone numbers are parsed for (ISO 3166-1 alpha-2), besides +international numbers. */
      phoneRegions: z.array(z.string().regex(/^[A-Z]{2}$/, "a two-letter region code such as US")).min(1).optional(),
      /** Per entity type: action and threshold. */
      entities: z.partialRecord(z.enum(PII_ENTITY_TYPES), entityPolicy).optional(),
    })
    .optional(),
  injection: z
    .strictObject({
      /**
       * Flag tier: a local score (rules or model) at or above this is recorded — a finding, the `flag` action in
       * llm_gateway_guardrail_decisions_total, a warning log — and the request goes on; the in-cluster
       * classifier (`tei`), when deployed, decides. docs/decisions/0090.
       */
      threshold: score.optional(),
      /** Block tier of the rules: their window score at or above this blocks without a classifier. */
      blockThreshold: score.optional(),
      action: action.optional(),
      /** The in-process character n-gram model (models/injection.json). */
      localModel: z.boolean().optional(),
      /** Block tier of the local model: its window probability at or above this blocks without a classifier. */
      modelThreshold: score.optional(),
      /** Flag tier of the local model: its window probability at or above this (and `threshold`) flags. */
      modelFlagThreshold: score.optional(),
      /**
       * Combined block tier (docs/decisions/0100): a rule cue at or above `rules` in the same text as a model
       * probability at or above `model` blocks — two independent layers agreeing, each below its own block tier.
       */
      combined: z.strictObject({ rules: score, model: score }).optional(),
      /** An in-cluster TEI sequence classifier: its model name, the label meaning injection, its threshold. */
      tei: z.strictObject({ model: z.string().min(1), label: z.string().min(1), threshold: score }).optional(),
    })
    .optional(),
  profanity: z.strictObject({ action: action.optional() }).optional(),
  toxicity: z
    .strictObject({
      action: action.optional(),
      /** Block tier of the in-process model (models/toxicity.json): its window probability at or above this blocks; 1 disables it. */
      localThreshold: score.optional(),
      /** Flag tier of the in-process model: at or above this (and below localThreshold) recorded, not blocked. */
      localFlagThreshold: score.optional(),
      /** The in-process phrase families (moderation/toxicity-rules.ts: self-harm, threats, identity attacks, insults): block tier at weight ≥ 0.8, flag tier at ≥ 0.5. */
      localRules: z.boolean().optional(),
      /** TEI toxicity classifier: model name and per-label thresholds (a label at or above its threshold hits). */
      tei: z.strictObject({ model: z.string().min(1), labels: z.record(z.string().min(1), score) }).optional(),
      /** When a TEI classifier fails: "allow" (local layers still ran; logged and counted) or "block". */
      onClassifierError: z.enum(["allow", "block"]).optional(),
    })
    .optional(),
  topics: z
    .strictObject({
      /** Denied topics: a name shown in the block message and the words or phrases that mark it. */
      deny: z.array(z.strictObject({ name: z.string().min(1).max(64), terms: z.array(z.string().min(2).max(100)).min(1) })).optional(),
      action: action.optional(),
    })
    .optional(),
};

/** A partial policy, as routes and tenants state it. */
export const policyOverrideSchema = z.strictObject(policyShape);
export type PolicyOverride = z.output<typeof policyOverrideSchema>;

export const guardrailsConfigSchema = z
  .strictObject({
    /** Master switch. */
    enabled: z.boolean().default(true),
    ...policyShape,
    /**
     * In-cluster TEI classifiers by model name (the names `injection.tei.model` and `toxicity.tei.model` refer to):
     * where each is served. Their /predict answers are combined with the local layers.
     */
    classifierEndpoints: z
      .record(z.string().min(1), z.strictObject({ url: z.url(), timeoutMs: z.number().int().positive().default(2000) }))
      .default({}),
    /** Overrides by route id (e.g. "chat.completions", "rag.query"). */
    routes: z.record(z.string().min(1), policyOverrideSchema).default({}),
    /** Overrides by tenant; applied after the route's. */
    tenants: z.record(z.string().min(1), policyOverrideSchema).default({}),
  })
  .superRefine((g, ctx) => {
    // Every TEI classifier a policy names must have an endpoint, or the first request would fail at run time.
    const policies: Array<[Array<string | number>, PolicyOverride]> = [
      [[], g],
      ...Object.entries(g.routes).map(([k, v]): [Array<string | number>, PolicyOverride] => [["routes", k], v]),
      ...Object.entries(g.tenants).map(([k, v]): [Array<string | number>, PolicyOverride] => [["tenants", k], v]),
    ];
    for (const [at, policy] of policies) {
      for (const guard of ["injection", "toxicity"] as const) {
        const model = policy[guard]?.tei?.model;
        if (model !== undefined && !(model in g.classifierEndpoints)) {
          ctx.addIssue({
            code: "custom",
            path: [...at, guard, "tei", "model"],
            message: `expected a model listed in guardrails.classifierEndpoints (${Object.keys(g.classifierEndpoints).join(", ") || "none"}), got "${model}"`,
          });
        }
      }
    }
  })
  .prefault({});

export type GuardrailsConfig = z.output<typeof guardrailsConfigSchema>;

type Action = z.output<typeof action>;
type Role = z.output<typeof role>;

/** A policy with every field filled in: what a detector reads. */
export interface ResolvedPolicy {
  readonly limits: { readonly maxScanChars: number; readonly oversize: "reject" | "block" };
  readonly input: { readonly detectors: readonly DetectorId[]; readonly roles: readonly Role[]; readonly injectionOnlyRoles: readonly Role[] };
  readonly output: { readonly detectors: readonly DetectorId[]; readonly maxChars: number; readonly streamOverlapChars: number; readonly streamHoldBackChars: number };
  readonly retrieved: { readonly detectors: readonly DetectorId[]; readonly dropFlagged: boolean };
  readonly pii: {
    readonly phoneRegions: readonly string[];
    readonly entities: Readonly<Record<PiiEntityType, { readonly action: Action; readonly threshold: number }>>;
  };
  readonly injection: {
    readonly threshold: number;
    readonly blockThreshold: number;
    readonly action: Action;
    readonly localModel: boolean;
    readonly modelThreshold: number;
    readonly modelFlagThreshold: number;
    readonly combined: { readonly rules: number; readonly model: number };
    readonly tei?: { readonly model: string; readonly label: string; readonly threshold: number };
  };
  readonly profanity: { readonly action: Action };
  readonly toxicity: {
    readonly action: Action;
    readonly localThreshold: number;
    readonly localFlagThreshold: number;
    readonly localRules: boolean;
    readonly tei?: { readonly model: string; readonly labels: Readonly<Record<string, number>> };
    readonly onClassifierError: "allow" | "block";
  };
  readonly topics: { readonly deny: readonly { readonly name: string; readonly terms: readonly string[] }[]; readonly action: Action };
}

/** The platform defaults (README.md ("Guardrails")): SSNs and card numbers block, other PII is redacted. */
export const DEFAULT_POLICY: ResolvedPolicy = {
  limits: { maxScanChars: 1_000_000, oversize: "reject" },
  input: { detectors: ["pii", "injection", "profanity", "toxicity", "topics"], roles: ["user", "tool"], injectionOnlyRoles: [] },
  output: { detectors: ["length", "json", "pii", "profanity", "toxicity", "topics"], maxChars: 400_000, streamOverlapChars: 256, streamHoldBackChars: 128 },
  retrieved: { detectors: ["injection"], dropFlagged: true },
  pii: {
    phoneRegions: ["US", "GB", "DE", "FR", "ES", "IT", "NL", "IN", "BR", "AU", "CA"],
    entities: {
      EMAIL_ADDRESS: { action: "redact", threshold: 0.5 },
      PHONE_NUMBER: { action: "redact", threshold: 0.5 },
      CREDIT_CARD: { action: "block", threshold: 0.5 },
      US_SSN: { action: "block", threshold: 0.5 },
      IP_ADDRESS: { action: "redact", threshold: 0.5 },
      PERSON: { action: "redact", threshold: 0.5 },
    },
  },
  injection: { threshold: 0.5, blockThreshold: 0.8, action: "block", localModel: true, modelThreshold: 0.91, modelFlagThreshold: 0.75, combined: { rules: 0.5, model: 0.8 } },
  profanity: { action: "allow" },
  toxicity: { action: "block", localThreshold: 0.8, localFlagThreshold: 0.6, localRules: true, onClassifierError: "allow" },
  topics: { deny: [], action: "block" },
};

type Plain = Record<string, unknown>;
const isPlain = (v: unknown): v is Plain => typeof v === "object" && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays, scalars and undefined-free values replace. */
function merge(base: Plain, over: Plain): Plain {
  const out: Plain = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    const b = out[k];
    out[k] = isPlain(b) && isPlain(v) ? merge(b, v) : v;
  }
  return out;
}

/** The effective policy for a route and tenant. */
export function resolvePolicy(config: GuardrailsConfig, route: string, tenant: string): ResolvedPolicy {
  const { enabled: _e, routes, tenants, ...base } = config;
  let out = merge(DEFAULT_POLICY as unknown as Plain, base as Plain);
  const r = routes[route];
  if (r) out = merge(out, r as Plain);
  const t = tenants[tenant];
  if (t) out = merge(out, t as Plain);
  // Sound: DEFAULT_POLICY is complete and every override was validated by the same field schemas.
  return out as unknown as ResolvedPolicy;
}
