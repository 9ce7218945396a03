/**
 * Guardrails quality on the shared labeled sets ($SHARED_DIR/data or ../shared/data): span-level
 * precision/recall/F1 per PII entity type, and precision/recall/false-positive rate for injection and
 * toxicity — the learned layers only on rows they were not trained on. Prints the tables and writes them to
 * bench/RESULTS.md under "Guardrails quality". Run: npx tsx services/gateway/scripts/eval-guardrails.ts
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from "obscenity";
import { DEFAULT_POLICY, PII_ENTITY_TYPES } from "../src/guardrails/config";
import { table, writeSection } from "../src/guardrails/eval/results-md";
import { prf, scoreSpans, type Counts } from "../src/guardrails/eval/span-scores";
import { scoreInjectionLocally } from "../src/guardrails/injection/detector";
import { dataDir, readJsonl, readToxicityCsv } from "../src/guardrails/models/datasets";
import { binaryScores, isHeldOut, type BinaryScores, type Example } from "../src/guardrails/models/train";
import { toxicityModel } from "../src/guardrails/moderation/toxicity";
import { analyzePii } from "../src/guardrails/pii/analyze";
import { INJECTION_HOLDOUT } from "./train-injection-split";

interface PiiRow {
  readonly full_text: string;
  readonly spans: readonly { readonly entity_type: string; readonly start_position: number; readonly end_position: number }[];
}

function piiSection(dir: string): string {
  const rows = JSON.parse(readFileSync(resolve(dir, "pii/presidio-generated-large.json"), "utf8")) as PiiRow[];
  const counts = new Map<string, Counts>();
  const started = performance.now();
  for (const r of rows) {
    const gold = r.spans.map((s) => ({ type: s.entity_type, start: s.start_position, end: s.end_position }));
    scoreSpans(gold, analyzePii(r.full_text, DEFAULT_POLICY), PII_ENTITY_TYPES, counts);
  }
  const ms = performance.now() - started;
  const aims: Record<string, number> = { PERSON: 0.8 };
  const body = PII_ENTITY_TYPES.map((t) => {
    const c = counts.get(t) ?? { tp: 0, fp: 0, fn: 0 };
    const s = prf(c);
    const aim = aims[t] ?? 0.95;
    return [t, c.tp + c.fn, c.tp, c.fp, c.fn, s.precision, s.recall, s.f1, `≥ ${aim}`, s.f1 >= aim ? "yes" : "no"];
  });
  return [
    `PII: presidio-research generated_large.json, ${rows.length} records (all of them: no PII model is trained; the recognizers' context rules and the PERSON heuristics were developed looking at this set, so read it as a development set, not an unseen one). Span-level, a prediction matches a gold span of the same type when IoU > 0.5. Default thresholds. ${(ms / rows.length).toFixed(3)} ms per record.`,
    "",
    table(["entity", "gold spans", "TP", "FP", "FN", "precision", "recall", "F1", "aim", "met"], body),
  ].join("\n");
}

const row = (name: string, rows: string, s: BinaryScores, extra = ""): (string | number)[] => [name, rows, s.n, s.positives, s.precision, s.recall, s.fpr, s.f1, extra];
const HEADER = ["layer", "rows", "n", "positives", "precision", "recall", "FPR", "F1", "note"];

function injectionSection(dir: string): string {
  const deepset = readJsonl(resolve(dir, "injection/deepset-train.jsonl"));
  const extra = readJsonl(resolve(dir, "injection/extra-train.jsonl"));
  const held = (xs: Example[]) => xs.filter((r) => isHeldOut(r.text, INJECTION_HOLDOUT));
  const p = DEFAULT_POLICY.injection;
  const judge = (xs: Example[], mode: "rules" | "model" | "combined") =>
    binaryScores(
      xs.map((r) => {
        const local = scoreInjectionLocally(r.text, mode !== "rules", p.modelThreshold);
        const score = mode === "model" ? (local.signals.get("classifier") ?? 0) : local.score;
        return { predicted: score >= (mode === "model" ? p.modelThreshold : p.threshold), label: r.label };
      }),
    );
  const heldAll = held([...deepset, ...extra]);
  const body = [
    row("rules only (no learning)", "all rows", judge([...deepset, ...extra], "rules")),
    row("rules only (no learning)", "deepset, all", judge(deepset, "rules"), "mostly short EN/DE prompts"),
    row("n-gram model alone", "held-out 25%", judge(heldAll, "model"), `p ≥ ${p.modelThreshold}`),
    row("detector (rules + model), default policy", "held-out 25%", judge(heldAll, "combined"), `threshold ${p.threshold}`),
    row("detector (rules + model), default policy", "held-out deepset", judge(held(deepset), "combined")),
    row("detector (rules + model), default policy", "held-out extra", judge(held(extra), "combined")),
  ];
  return [
    `Injection: deepset-train.jsonl (${deepset.length}) + extra-train.jsonl (${extra.length}). The n-gram model (models/injection.json) was trained on the other ${Math.round((1 - INJECTION_HOLDOUT) * 100)}% (split by a hash of the text, scripts/train-injection.ts); model and detector rows are scored only on the held-out ${Math.round(INJECTION_HOLDOUT * 100)}%. Rules involve no training. Aim: recall ≥ 0.8 with FPR ≤ 0.03.`,
    "",
    table(HEADER, body),
  ].join("\n");
}

function toxicitySection(dir: string): string {
  const surge = readToxicityCsv(resolve(dir, "toxicity/surge-toxicity-en.csv"));
  const extraHeld = readJsonl(resolve(dir, "toxicity/extra-train.jsonl")).filter((r) => isHeldOut(r.text, 0.25));
  const lexicon = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const model = toxicityModel();
  const probs = surge.map((r) => model.predict(r.text));
  const at = (t: number) => binaryScores(surge.map((r, i) => ({ predicted: (probs[i] as number) >= t, label: r.label })));
  const body = [
    row("obscenity lexicon", "surge (unseen)", binaryScores(surge.map((r) => ({ predicted: lexicon.hasMatch(r.text), label: r.label })))),
    row("n-gram model p ≥ 0.5", "surge (unseen)", at(0.5)),
    row("n-gram model p ≥ 0.7", "surge (unseen)", at(0.7)),
    row(`n-gram model p ≥ ${DEFAULT_POLICY.toxicity.localThreshold} (default)`, "surge (unseen)", at(DEFAULT_POLICY.toxicity.localThreshold)),
    row("lexicon OR model ≥ 0.7", "surge (unseen)", binaryScores(surge.map((r, i) => ({ predicted: lexicon.hasMatch(r.text) || (probs[i] as number) >= 0.7, label: r.label })))),
    row(`n-gram model p ≥ ${DEFAULT_POLICY.toxicity.localThreshold}`, "extra-train held-out 25%", binaryScores(extraHeld.map((r) => ({ predicted: model.predict(r.text) >= DEFAULT_POLICY.toxicity.localThreshold, label: r.label }))), "same sources as training"),
  ];
  return [
    `Toxicity: the model (models/toxicity.json) was trained on 75% of toxicity/extra-train.jsonl (Davidson tweets + ToxiGen); surge-toxicity-en.csv (${surge.length} rows) was never trained on — a different source and style, so it is the honest figure. The in-cluster TEI classifier is the intended primary layer; these are the local layers.`,
    "",
    table(HEADER, body),
  ].join("\n");
}

function main(): void {
  const dir = dataDir();
  const sections = [piiSection(dir), injectionSection(dir), toxicitySection(dir)];
  const body = [`Measured by \`npx tsx services/gateway/scripts/eval-guardrails.ts\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`, "", sections.join("\n\n")].join("\n");
  console.log(body);
  writeSection("Guardrails quality", body);
}

main();
