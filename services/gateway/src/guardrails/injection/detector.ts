/**
 * Prompt injection: scores in 0..1 from three layers, in precision-first tiers (docs/decisions/0090) —
 *  1. phrase families (phrase-rules.ts) and structural markers (structural-rules.ts), combined noisy-or within
 *     each ~512-character window (text/windows.ts) of every normalized variant of the text (text/normalize.ts:
 *     NFKC, invisible characters, homoglyphs, leetspeak, letter spacing, accents, decoded base64 blobs); the
 *     text's rule score is its highest window's, so it does not grow with length;
 *  2. the in-process n-gram model (models/injection.json), when `injection.localModel`: also the highest window;
 *  3. an in-cluster TEI classifier, when `injection.tei` is configured and a classifier is plugged in.
 * The local layers block on their own only when very sure — rules at or above `injection.blockThreshold`, the
 * model at or above `injection.modelThreshold` — and a TEI score at or above `injection.tei.threshold` blocks.
 * Below that, a local score at or above `injection.threshold` flags: the verdict allows, with a finding, the
 * `flag` action in the decisions metric and a warning log, and the in-cluster classifier (when deployed) decides.
 */
import type { GuardrailFinding } from "../../contracts";
import { LinearModel, type FeatureMemo } from "../models/linear-model";
// Imported, not read from a path: tsc emits the JSON beside the compiled code (the image has dist/, not src/).
import injectionWeights from "../models/injection.json";
import { variantsOf } from "../text/normalize";
import { windowBounds } from "../text/windows";
import type { Detector, DetectorDeps, DetectorInput, Verdict } from "../types";
import { matchPhrases } from "./phrase-rules";
import { matchStructural } from "./structural-rules";

let model: LinearModel | undefined;
function localModel(): LinearModel {
  model ??= LinearModel.fromWeights(injectionWeights, "models/injection.json");
  return model;
}

export interface InjectionScore {
  /** max(all rule families, model when ≥ its flag threshold): what `injection.threshold` (the flag tier) is compared with. */
  readonly score: number;
  /** The rules' block-tier score: noisy-or of the strong (≥ 0.5) families in the text's most suspicious window. */
  readonly rules: number;
  /** The n-gram model's probability (its most suspicious window); 0 without the model. */
  readonly model: number;
  /** All rule families (weak ones too), noisy-or in the text's most suspicious window: the combined tier's rule side. */
  readonly cue: number;
  /** Families that fired (rules, their best weight anywhere) and "classifier". */
  readonly signals: ReadonlyMap<string, number>;
  readonly text: string;
}

/** The model's flag tier (below it, its probability is recorded in the signals only). */
const DEFAULT_MODEL_FLAG = 0.75;

/** Family weight from which hits combine (noisy-or) towards the block tier. */
const STRONG = 0.5;
/** In data: an instruction addressed to the model (block tier). */
const DATA_ADDRESSED = 0.85;

/**
 * Rule score of one text: windows of every variant, noisy-or within a window, the highest window wins. The
 * return value combines strong families only; `flag.best` all of them (for the flag tier).
 */
function ruleScore(text: string, signals: Map<string, number>, flag: { best: number }, data: boolean): number {
  let best = 0;
  for (const v of variantsOf(text)) {
    for (const [a, b] of windowBounds(v)) {
      const w = a === 0 && b === v.length ? v : v.slice(a, b);
      let miss = 1;
      let weakMiss = 1;
      const seen = new Map<string, number>();
      for (const hit of [...matchPhrases(w), ...matchStructural(w)]) seen.set(hit.family, Math.max(seen.get(hit.family) ?? 0, hit.weight));
      // In data (retrieved chunks, tool output) an instruction addressed to the model — explicitly ("AI assistants
      // reading this", "if you are an AI") or next to any other cue in the same window — is an indirect
      // injection: a document has no business telling the model what to do.
      const addressed = seen.get("addressed_to_model");
      if (data && addressed !== undefined && (addressed >= 0.6 || [...seen].some(([f, w]) => f !== "addressed_to_model" && w >= 0.25))) seen.set("addressed_to_model", Math.max(addressed, DATA_ADDRESSED));
      for (const [family, weight] of seen) {
        // Only families of weight ≥ STRONG combine towards the block tier: many weak cues in one window
        // (office prose: "from now on", "start your answer with", "no restrictions") stay in the flag tier.
        if (weight >= STRONG) miss *= 1 - weight;
        else weakMiss *= 1 - weight;
        signals.set(family, Math.max(signals.get(family) ?? 0, weight));
      }
      best = Math.max(best, 1 - miss);
      flag.best = Math.max(flag.best, 1 - miss * weakMiss);
    }
  }
  return best;
}

/**
 * In data, an instruction planted in a document is one paragraph among many: in a 512-character window the
 * surrounding prose dilutes the model's score. A paragraph (a line of ≥ PARA_MIN_WORDS words) carrying a rule cue
 * of its own (≥ PARA_CUE) is scored by the model alone; at or above PARA_MODEL the document is flagged (dropped
 * from the context by `retrieved.dropFlagged`). Both values chosen on the dev documents (rust-lang/book) with dev
 * attacks planted (docs/decisions/0101): clean drops unchanged, planted drops up. Linear: each paragraph is scanned
 * once, and the model only runs on the few with a cue.
 */
const PARA_CUE = 0.25;
const PARA_MODEL = 0.8;
const PARA_MIN_WORDS = 6;

function plantedParagraphScore(text: string): number {
  let best = 0;
  for (let start = 0; start < text.length; ) {
    let end = text.indexOf("\n", start);
    if (end < 0) end = text.length;
    const para = text.slice(start, end);
    start = end + 1;
    if (para.length < 40 || para.length === text.length || !hasWords(para, PARA_MIN_WORDS)) continue;
    const flag = { best: 0 };
    ruleScore(para, new Map(), flag, true);
    if (flag.best < PARA_CUE) continue;
    const p = localModel().predict(para);
    if (p >= PARA_MODEL) best = Math.max(best, p);
  }
  return best;
}

/** Rule and local-model scores (synchronous, in-process). `data`: the text is content, not the caller's words. */
export function scoreInjectionLocally(text: string, useModel: boolean, data = false, modelFlagThreshold = DEFAULT_MODEL_FLAG, memo?: FeatureMemo): InjectionScore {
  const signals = new Map<string, number>();
  const flag = { best: 0 };
  const rules = ruleScore(text, signals, flag, data);
  let p = 0;
  if (useModel) {
    p = localModel().predict(text, memo);
    signals.set("classifier", p);
    if (data) {
      const planted = plantedParagraphScore(text);
      if (planted > 0) signals.set("planted_paragraph", planted);
      return { score: Math.max(flag.best, p >= modelFlagThreshold ? p : 0, planted), rules, model: p, cue: flag.best, signals, text };
    }
  }
  return { score: Math.max(flag.best, p >= modelFlagThreshold ? p : 0), rules, model: p, cue: flag.best, signals, text };
}

/** The model alone is never "very sure" of a text this short ("an insult" scores 0.98): flag tier at most. */
const MIN_WORDS_FOR_MODEL_BLOCK = 5;
const WORDISH = /[\p{L}\p{N}]+/gu;

function hasWords(text: string, n: number): boolean {
  WORDISH.lastIndex = 0;
  let k = 0;
  while (k < n && WORDISH.exec(text) !== null) k++;
  return k >= n;
}

/** Whether the local layers alone are sure enough to block (the policy's block tier). */
export function locallyBlocks(s: InjectionScore, policy: DetectorInput["policy"]): boolean {
  const p = policy.injection;
  if (s.rules >= p.blockThreshold) return true;
  if (!p.localModel || !hasWords(s.text, MIN_WORDS_FOR_MODEL_BLOCK)) return false;
  // Either the model alone is very sure, or a rule cue and the model agree (the combined tier, chosen on dev).
  return s.model >= p.modelThreshold || (s.cue >= p.combined.rules && s.model >= p.combined.model);
}

async function teiScore(text: string, input: DetectorInput, deps: DetectorDeps): Promise<number | undefined> {
  const tei = input.policy.injection.tei;
  if (!tei || !deps.classifier) return undefined;
  try {
    const [labels] = await deps.classifier.classify([text], tei.model);
    return labels?.find((l) => l.label.toLowerCase() === tei.label.toLowerCase())?.score ?? 0;
  } catch (err) {
    deps.logger?.warn({ guard: "injection", model: tei.model, err: (err as Error).message }, "injection classifier unavailable; using local layers");
    return undefined;
  }
}

const BLOCK = { code: "prompt_injection", message: "The request was blocked: it looks like a prompt-injection attempt." };

export const injectionDetector: Detector = {
  id: "injection",
  async run(input, deps): Promise<Verdict> {
    const { policy } = input;
    const cfg = policy.injection;
    const local = scoreInjectionLocally(input.text, cfg.localModel, input.origin === "data", cfg.modelFlagThreshold, input.memo);
    const signals = new Map(local.signals);
    const t = await teiScore(input.text, input, deps);
    if (t !== undefined) signals.set("tei", t);
    const teiBlocks = t !== undefined && t >= (cfg.tei?.threshold ?? 1);
    const sure = locallyBlocks(local, policy) || teiBlocks;
    const score = Math.max(local.score, t ?? 0);
    if (!sure && local.score < cfg.threshold) return { action: "allow", findings: [], explanation: `injection score ${score.toFixed(2)} below threshold ${cfg.threshold}` };
    const fired = [...signals].filter(([, w]) => w >= 0.3).map(([k]) => k);
    const family = [...signals].filter(([k]) => k !== "classifier" && k !== "tei").sort((a, b) => b[1] - a[1])[0]?.[0] ?? "prompt_injection";
    const findings: GuardrailFinding[] = [{ guard: "injection", type: family, score: Math.round(score * 1000) / 1000 }];
    if (!sure) {
      // Flag tier: not sure enough to refuse on the local layers' word; recorded, and the classifier decides.
      const explanation = `possible prompt injection, score ${local.score.toFixed(2)} ≥ ${cfg.threshold} (flag tier, below the block tier; signals: ${fired.join(", ") || "combined"})`;
      return { action: "allow", flagged: true, findings, explanation };
    }
    const explanation = `prompt injection: ${teiBlocks ? `classifier ${(t ?? 0).toFixed(2)} ≥ ${cfg.tei?.threshold}` : `local score ${Math.max(local.rules, local.model).toFixed(2)} in the block tier`} (signals: ${fired.join(", ") || "combined"})`;
    if (cfg.action === "block") return { action: "block", findings, explanation, block: BLOCK };
    // "redact" has no meaning for a whole-text judgement: recorded like allow.
    return { action: "allow", findings, explanation };
  },
};
