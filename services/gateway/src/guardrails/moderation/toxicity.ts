/**
 * Toxicity: the in-process n-gram model (models/toxicity.json), scored per ~512-character window (the highest
 * wins, so the score does not grow with length), in precision-first tiers (docs/decisions/0090): at or above
 * `toxicity.localThreshold` it blocks on its own, at or above `localFlagThreshold` it only flags (allowed,
 * counted as `flag`, logged). The in-cluster TEI toxicity classifier with per-label thresholds
 * (`toxicity.tei.labels`) blocks at its thresholds. The TEI call is made
 * only for whole texts (not for every streaming window). A failed TEI call follows `onClassifierError`.
 */
import type { GuardrailFinding } from "../../contracts";
import { LinearModel } from "../models/linear-model";
// Imported, not read from a path: tsc emits the JSON beside the compiled code (the image has dist/, not src/).
import toxicityWeights from "../models/toxicity.json";
import type { Detector, Verdict } from "../types";
import { RULE_BLOCK, RULE_FLAG, matchToxicity } from "./toxicity-rules";

let model: LinearModel | undefined;
export function toxicityModel(): LinearModel {
  model ??= LinearModel.fromWeights(toxicityWeights, "models/toxicity.json");
  return model;
}

const BLOCK = { code: "content_policy", message: "The content was blocked by the content policy (toxicity)." };

export const toxicityDetector: Detector = {
  id: "toxicity",
  async run(input, deps): Promise<Verdict> {
    const { text, policy } = input;
    const cfg = policy.toxicity;
    if (text.trim().length === 0) return { action: "allow", findings: [], explanation: "empty" };
    const findings: GuardrailFinding[] = [];
    let flag: GuardrailFinding | undefined;
    if (cfg.localThreshold < 1) {
      const p = toxicityModel().predict(text, input.memo);
      const finding = { guard: "toxicity", type: "toxicity", score: Math.round(p * 1000) / 1000 };
      if (p >= cfg.localThreshold) findings.push(finding);
      else if (p >= cfg.localFlagThreshold) flag = finding;
    }
    if (cfg.localRules) {
      // Phrase families the model misses (issue 16): the strongest decides its tier; types name the family only.
      let best: { family: string; weight: number } | undefined;
      for (const hit of matchToxicity(text)) if (!best || hit.weight > best.weight) best = hit;
      if (best && best.weight >= RULE_BLOCK) findings.push({ guard: "toxicity", type: best.family, score: best.weight });
      else if (best && best.weight >= RULE_FLAG && !flag) flag = { guard: "toxicity", type: best.family, score: best.weight };
    }
    const useTei = cfg.tei && deps.classifier && (input.stage !== "output" || input.complete);
    if (cfg.tei && deps.classifier && useTei) {
      try {
        const [labels] = await deps.classifier.classify([text], cfg.tei.model);
        for (const l of labels ?? []) {
          const threshold = cfg.tei.labels[l.label] ?? cfg.tei.labels[l.label.toLowerCase()];
          if (threshold !== undefined && l.score >= threshold) findings.push({ guard: "toxicity", type: l.label.toLowerCase(), score: l.score });
        }
      } catch (err) {
        deps.logger?.warn({ guard: "toxicity", model: cfg.tei.model, err: (err as Error).message }, "toxicity classifier unavailable");
        if (cfg.onClassifierError === "block") {
          return { action: "block", findings: [{ guard: "toxicity", type: "classifier_unavailable", score: 0 }], explanation: "toxicity classifier unavailable and policy fails closed", block: { code: "content_policy", message: "The content could not be checked against the content policy right now." } };
        }
      }
    }
    if (findings.length === 0) {
      if (flag) {
        const why = flag.type === "toxicity" ? `local model ${flag.score.toFixed(2)} ≥ ${cfg.localFlagThreshold} (flag tier, below ${cfg.localThreshold})` : `phrase family ${flag.type} ${flag.score.toFixed(2)} (flag tier, below ${RULE_BLOCK})`;
        return { action: "allow", flagged: true, findings: [flag], explanation: `possibly toxic: ${why}` };
      }
      return { action: "allow", findings, explanation: "not toxic" };
    }
    const explanation = `toxic content: ${findings.map((f) => `${f.type} ${f.score.toFixed(2)}`).join(", ")}`;
    if (cfg.action === "block") return { action: "block", findings, explanation, block: BLOCK };
    return { action: "allow", findings, explanation };
  },
};
