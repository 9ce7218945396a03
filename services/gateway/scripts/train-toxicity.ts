/**
 * Retrains src/guardrails/models/toxicity.json from toxicity/extra-train.jsonl (Davidson tweets + ToxiGen), with
 * benign negatives the tweets lack: the injection sets' benign prompts and long benign text from the `train`
 * sources of scripts/eval-data/benign-sources.json (when their mirrors are present) — without them the model
 * called most long documents toxic. Three-way split by text hash (models/train.ts `splitOf`, docs/decisions/0091):
 * trained on `train`; the block-tier threshold is chosen on `dev` benign text (window FPR ≤ 0.5 %); `validation`
 * and surge-toxicity-en.csv (another source, never trained or tuned on) are only scored by eval-guardrails.ts.
 * Run: npx tsx services/gateway/scripts/train-toxicity.ts (make train-guardrails)
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { docsFromSource, readSources } from "../src/guardrails/eval/benign-corpus";
import { dataDir, readJsonl, runWithData } from "../src/guardrails/models/datasets";
import { binaryScores, splitOf, train, type Example } from "../src/guardrails/models/train";
import { chooseThreshold } from "./train-injection";

const DEV_FPR_BUDGET = 0.005;
/** The block tier is "very sure" whatever the dev set says: never below this (chosen before any evaluation). */
const BLOCK_FLOOR = 0.8;

function main(): void {
  const dir = dataDir();
  const rows = readJsonl(resolve(dir, "toxicity/extra-train.jsonl"));
  const prompts = [...readJsonl(resolve(dir, "injection/deepset-train.jsonl")), ...readJsonl(resolve(dir, "injection/extra-train.jsonl"))].filter((r) => r.label === 0);
  const sourced = readSources(resolve(__dirname, "eval-data/benign-sources.json"))
    .filter((s) => s.role !== "validation")
    .flatMap((s) => {
      const d = docsFromSource(s, 400);
      if (!d) console.warn(`train-toxicity: mirror of ${s.repo}@${s.commit} not found; training without it`);
      return d ?? [];
    })
    .map((d) => ({ text: d.text, label: 0 as const, role: d.role }));
  const benign = [...prompts, ...sourced.filter((d) => d.role === "train")];
  const part = (xs: readonly Example[], p: ReturnType<typeof splitOf>) => xs.filter((r) => splitOf(r.text) === p);
  const trainSet = [...part(rows, "train"), ...part(benign, "train")];
  const model = train(trainSet, { epochs: 10, lr: 2, l2: 1e-6 });
  const devBenign = part(benign, "dev");
  const devDocs = sourced.filter((d) => d.role === "dev");
  const threshold = Math.max(chooseThreshold(devBenign.map((r) => model.predict(r.text)), DEV_FPR_BUDGET, BLOCK_FLOOR), chooseThreshold(devDocs.map((r) => model.predict(r.text)), DEV_FPR_BUDGET, BLOCK_FLOOR));
  const dev = part(rows, "dev");
  const meta = {
    trainedOn: "toxicity/extra-train.jsonl (train part) + benign prompts of the injection sets + benign train sources",
    trainRows: trainSet.length,
    split: "splitOf: validation < 0.15 (never used here), dev 0.15–0.30 (threshold), train ≥ 0.30",
    blockThreshold: threshold,
    devFprBudget: DEV_FPR_BUDGET,
    devBenignRows: devBenign.length,
    dev: binaryScores(dev.map((r) => ({ predicted: model.predict(r.text) >= threshold, label: r.label }))),
  };
  const out = resolve(__dirname, "../src/guardrails/models/toxicity.json");
  writeFileSync(out, JSON.stringify(model.toFile("toxicity", meta)) + "\n");
  console.log(`wrote ${out}\n${JSON.stringify(meta, null, 2)}`);
}

if (require.main === module) runWithData("train-toxicity", main);
