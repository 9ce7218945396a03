/**
 * Retrains src/guardrails/models/injection.json from the shared injection sets (deepset + extra-train) plus
 * benign text: the toxicity set's non-toxic rows and documents from the `train` sources of
 * scripts/eval-data/benign-sources.json (negatives, when their mirrors are present); the `dev` sources' documents
 * (never trained on) calibrate the block tier with the dev prompts. Three-way split by text hash (models/train.ts `splitOf`, docs/decisions/0091): the
 * model learns on `train`, the block-tier threshold is chosen on `dev` (the lowest probability whose window FPR on
 * dev benign rows is ≤ 0.5 %), and `validation` is never looked at here — only eval-guardrails.ts scores it.
 * Run: npx tsx services/gateway/scripts/train-injection.ts (make train-guardrails)
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { docsFromSource, readSources } from "../src/guardrails/eval/benign-corpus";
import { dataDir, readJsonl, runWithData } from "../src/guardrails/models/datasets";
import { binaryScores, splitOf, train, type Example } from "../src/guardrails/models/train";

/** Block tier: the chosen threshold keeps the dev benign false-positive rate at or below this. */
const DEV_FPR_BUDGET = 0.005;
/** The model blocks alone only when very sure, whatever the dev set allows (fixed before any evaluation). */
const BLOCK_FLOOR = 0.92;

export function chooseThreshold(scores: readonly number[], budget: number, floor = 0.5): number {
  const sorted = [...scores].sort((a, b) => b - a);
  const allowed = Math.floor(sorted.length * budget);
  // Just above the (allowed+1)-th highest benign score, rounded up to 0.01, never below `floor`.
  return Math.max(floor, Math.min(0.99, Math.ceil(((sorted[allowed] ?? 0) + 1e-9) * 100) / 100));
}

function main(): void {
  const dir = dataDir();
  const rows = [...readJsonl(resolve(dir, "injection/deepset-train.jsonl")), ...readJsonl(resolve(dir, "injection/extra-train.jsonl"))];
  const sourced = readSources(resolve(__dirname, "eval-data/benign-sources.json"))
    .filter((s) => s.role !== "validation")
    .flatMap((s) => {
      const docs = docsFromSource(s, 400);
      if (!docs) console.warn(`train-injection: mirror of ${s.repo}@${s.commit} not found; training without it`);
      return docs ?? [];
    })
    .map((d) => ({ text: d.text, label: 0 as const, role: d.role }));
  // The toxicity set's non-toxic rows (neutral statements, tweets) are benign prose too.
  const benignRows = readJsonl(resolve(dir, "toxicity/extra-train.jsonl")).filter((r) => r.label === 0);
  const part = (xs: readonly Example[], p: ReturnType<typeof splitOf>) => xs.filter((r) => splitOf(r.text) === p);
  const trainSet = [...part(rows, "train"), ...part(benignRows, "train"), ...sourced.filter((d) => d.role === "train")];
  const model = train(trainSet, { epochs: 20, lr: 2 });
  // Calibrated on both kinds of dev benign text, the stricter wins: short prompts, and documents of all lengths
  // (a long document has many windows, each a chance to look like an attack).
  const devPrompts = part(rows, "dev").filter((r) => r.label === 0);
  // Documents from the `dev` sources (never trained on): out of the training distribution, like real traffic.
  const devDocs = sourced.filter((d) => d.role === "dev");
  const blockThreshold = Math.max(chooseThreshold(devPrompts.map((r) => model.predict(r.text)), DEV_FPR_BUDGET, BLOCK_FLOOR), chooseThreshold(devDocs.map((r) => model.predict(r.text)), DEV_FPR_BUDGET, BLOCK_FLOOR));
  const dev = part(rows, "dev");
  const devScores = binaryScores(dev.map((r) => ({ predicted: model.predict(r.text) >= blockThreshold, label: r.label })));
  const out = resolve(__dirname, "../src/guardrails/models/injection.json");
  const meta = {
    trainedOn: "deepset-train.jsonl + extra-train.jsonl (train part) + benign train sources (eval-data/benign-sources.json)",
    trainRows: trainSet.length,
    split: "splitOf: validation < 0.15 (never used here), dev 0.15–0.30 (threshold), train ≥ 0.30",
    blockThreshold,
    devFprBudget: DEV_FPR_BUDGET,
    devBenignPrompts: devPrompts.length,
    devBenignDocs: devDocs.length,
    dev: devScores,
  };
  writeFileSync(out, JSON.stringify(model.toFile("injection", meta)) + "\n");
  console.log(`wrote ${out}\n${JSON.stringify(meta, null, 2)}`);
}

if (require.main === module) runWithData("train-injection", main);
