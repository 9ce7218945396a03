/**
 * The complexity estimate behind `model: "auto"`: a score in 0..1 from four cheap features of the prompt's text
 * (no model call, microseconds per request):
 *   length  - estimated tokens (characters / 4) relative to `longPromptTokens`, capped at 1;
 *   steps   - multi-step structure: numbered or bulleted lists, "step by step", "first ... then", several questions;
 *   code    - code fences, inline code, or lines that look like code (keywords, braces, semicolons);
 *   domain  - distinct configured domain terms present (3 or more scores 1).
 * score = Σ weight·feature / Σ weight. High scores go to the large model. Thresholds and weights live in config.
 */
import type { AutoRoutingConfig } from "../config/schema";

export interface ComplexityFeatures {
  readonly length: number;
  readonly steps: number;
  readonly code: number;
  readonly domain: number;
}

export interface ComplexityEstimate {
  readonly score: number;
  readonly features: ComplexityFeatures;
}

const listItem = /^\s*(?:\d+[.)]|[-*•])\s+\S/gm;
const stepPhrases = /\b(step[- ]by[- ]step|first(?:ly)?\b[\s\S]{0,200}\bthen\b|and then|afterwards|finally|compare|trade-?offs?|explain why|derive|prove)\b/gi;
const codeLine = /^\s*(?:def |class |function |const |let |var |import |from \S+ import|public |private |#include|SELECT |INSERT |package |fn |func |return\b).*|[{};]\s*$/gm;

const clamp = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : x);

function count(re: RegExp, text: string): number {
  re.lastIndex = 0;
  let n = 0;
  while (re.exec(text) !== null) n += 1;
  return n;
}

export function estimateComplexity(text: string, cfg: AutoRoutingConfig): ComplexityEstimate {
  const length = clamp(text.length / 4 / cfg.longPromptTokens);
  const questions = (text.match(/\?/g) ?? []).length;
  const steps = clamp((count(listItem, text) / 4) + (count(stepPhrases, text) / 2) + (questions >= 3 ? 0.5 : 0));
  const fences = (text.match(/```/g) ?? []).length / 2;
  const code = clamp(fences + count(codeLine, text) / 5);
  const lower = text.toLowerCase();
  let terms = 0;
  for (const t of cfg.domainTerms) if (lower.includes(t.toLowerCase())) terms += 1;
  const domain = clamp(terms / 3);
  const w = cfg.weights;
  const total = w.length + w.steps + w.code + w.domain;
  const score = total === 0 ? 0 : (w.length * length + w.steps * steps + w.code * code + w.domain * domain) / total;
  return { score, features: { length, steps, code, domain } };
}
