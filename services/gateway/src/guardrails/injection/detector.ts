/**
 * Prompt injection: a score in 0..1 from three layers, highest wins —
 *  1. phrase families (phrase-rules.ts) and structural markers (structural-rules.ts), combined noisy-or, over
 *     every normalized variant of the text (text/normalize.ts: NFKC, invisible characters, homoglyphs,
 *     leetspeak, letter spacing, accents, decoded base64 blobs);
 *  2. the in-process n-gram model (models/injection.json), when `injection.localModel`;
 *  3. an in-cluster TEI classifier, when `injection.tei` is configured and a classifier is plugged in.
 * At or above `injection.threshold` the configured action applies (block with `prompt_injection` by default).
 */
import type { GuardrailFinding } from "../../contracts";
import { LinearModel } from "../models/linear-model";
// Imported, not read from a path: tsc emits the JSON beside the compiled code (the image has dist/, not src/).
import injectionWeights from "../models/injection.json";
import { variantsOf } from "../text/normalize";
import type { Detector, DetectorDeps, DetectorInput, Verdict } from "../types";
import { matchPhrases } from "./phrase-rules";
import { matchStructural } from "./structural-rules";

let model: LinearModel | undefined;
function localModel(): LinearModel {
  model ??= LinearModel.fromWeights(injectionWeights, "models/injection.json");
  return model;
}

export interface InjectionScore {
  readonly score: number;
  /** Families that fired (rules), "classifier" and/or "tei". */
  readonly signals: ReadonlyMap<string, number>;
}

/** Rule and local-model score (synchronous, in-process). */
export function scoreInjectionLocally(text: string, useModel: boolean, modelThreshold = 0.85): InjectionScore {
  const signals = new Map<string, number>();
  for (const v of variantsOf(text)) {
    for (const hit of [...matchPhrases(v), ...matchStructural(v)]) signals.set(hit.family, Math.max(signals.get(hit.family) ?? 0, hit.weight));
  }
  let miss = 1;
  for (const w of signals.values()) miss *= 1 - w;
  let score = 1 - miss;
  if (useModel) {
    const p = localModel().predict(text);
    signals.set("classifier", p);
    if (p >= modelThreshold) score = Math.max(score, p);
  }
  return { score, signals };
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

export const injectionDetector: Detector = {
  id: "injection",
  async run(input, deps): Promise<Verdict> {
    const { policy } = input;
    const local = scoreInjectionLocally(input.text, policy.injection.localModel, policy.injection.modelThreshold);
    let score = local.score;
    const signals = new Map(local.signals);
    const t = await teiScore(input.text, input, deps);
    if (t !== undefined) {
      signals.set("tei", t);
      if (t >= (policy.injection.tei?.threshold ?? 1)) score = Math.max(score, t);
    }
    const fired = [...signals].filter(([, w]) => w >= 0.3).map(([k]) => k);
    if (score < policy.injection.threshold) return { action: "allow", findings: [], explanation: `injection score ${score.toFixed(2)} below threshold ${policy.injection.threshold}` };
    const type = [...signals].filter(([k]) => k !== "classifier" && k !== "tei").sort((a, b) => b[1] - a[1])[0]?.[0] ?? "prompt_injection";
    const findings: GuardrailFinding[] = [{ guard: "injection", type, score: Math.round(score * 1000) / 1000 }];
    const explanation = `prompt injection score ${score.toFixed(2)} ≥ ${policy.injection.threshold} (signals: ${fired.join(", ") || "combined"})`;
    if (policy.injection.action === "block") {
      return { action: "block", findings, explanation, block: { code: "prompt_injection", message: "The request was blocked: it looks like a prompt-injection attempt." } };
    }
    // "redact" has no meaning for a whole-text judgement: recorded like allow.
    return { action: "allow", findings, explanation };
  },
};
