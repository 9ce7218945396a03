/**
 * Retrains src/guardrails/models/toxicity.json from toxicity/extra-train.jsonl (Davidson tweets + ToxiGen) and the
 * public sets of scripts/eval-data/toxicity-sources.json (HateCheck, AILuminate's hate/self-harm/sexual/violent
 * prompts; read from git mirrors, docs/decisions/0098), with benign negatives the tweets lack: the injection
 * sets' benign prompts, long benign text from the `train` sources of scripts/eval-data/benign-sources.json, and
 * short pieces of both (when their mirrors are present) — without them the model
 * called most long documents toxic. Three-way split by text hash (models/train.ts `splitOf`, docs/decisions/0091):
 * trained on `train`; the block and flag tiers are chosen on `dev` (benign prompts and documents, and the labelled
 * non-toxic rows) and written into the model as a logit calibration, so that they land on the config's
 * `toxicity.localThreshold` / `localFlagThreshold` (0.8 / 0.6; docs/decisions/0098); `validation`
 * and surge-toxicity-en.csv (another source, never trained or tuned on) are only scored by eval-guardrails.ts.
 * Run: npx tsx services/gateway/scripts/train-toxicity.ts (make train-guardrails). For comparisons on dev only:
 * TOXICITY_DRY_RUN=1 (print, do not write), TOXICITY_OUT=<path>, TOXICITY_SOURCES=0 (public sets not trained on),
 * TOXICITY_WEIGHTS, TOXICITY_EPOCHS, TOXICITY_L2, TOXICITY_SHORT_PIECES.
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { docsFromSource, readSources } from "../src/guardrails/eval/benign-corpus";
import { dataDir, readJsonl, readSourcedJsonl, runWithData, stripTweetMarkup, type SourcedRow } from "../src/guardrails/models/datasets";

export { stripTweetMarkup };
import { LinearModel } from "../src/guardrails/models/linear-model";
import { binaryScores, mulberry32, splitOf, train, type Example } from "../src/guardrails/models/train";
import { DEFAULT_POLICY } from "../src/guardrails/config";
import { chooseThreshold } from "./train-injection";
import { loadToxicitySources } from "./train-toxicity-sources";

/** Block tier: at most this share of dev benign prompts, and of dev benign documents, reaches it. */
const BLOCK_BENIGN_FPR = 0.005;
/** Block tier: at most this share of the dev non-toxic rows of the labelled sets (neutral statements about groups, counter-speech, harmless profanity) reaches it. */
const BLOCK_LABELLED_FPR = 0.05;
/** Flag tier budgets (flagged text is allowed and logged, so looser). */
const FLAG_BENIGN_FPR = 0.02;
const FLAG_LABELLED_FPR = 0.12;
/** Neither tier below this raw probability (chosen before any evaluation). */
const RAW_FLOOR = 0.5;

/**
 * Sample weight per source (the rest weigh 1): Davidson's 24,783 tweets would otherwise set the style of
 * "toxic" alone. Chosen on dev (macro F1 over the sources at the block tier, docs/decisions/0098);
 * TOXICITY_WEIGHTS="source=w,..." overrides them for such a comparison.
 */
const SOURCE_WEIGHTS: Readonly<Record<string, number>> = {
  "microsoft/TOXIGEN": 10,
  "paul-rottger/hatecheck-data": 3,
  "mlcommons/ailuminate": 10,
  ...Object.fromEntries((process.env.TOXICITY_WEIGHTS ?? "").split(",").filter((kv) => kv.includes("=")).map((kv) => [kv.split("=")[0] as string, Number(kv.split("=")[1])])),
};

/** Benign short pieces cut from the train documents (below). */
const SHORT_PIECES = Number(process.env.TOXICITY_SHORT_PIECES ?? 3000);

/**
 * Sentences and lines of 20–300 characters from benign documents, as short benign examples, and as many
 * fragments of 2–6 words from their starts: the labelled sets' negatives are whole tweets and statements about
 * groups, so without these a short technical sentence ("kill the child process") or a streamed fragment
 * ("short answer", "Sure. The number on file is") had no benign neighbour in training and scored as toxic.
 * Deterministic (every k-th piece, seeded fragment lengths).
 */
export function shortPieces(docs: readonly { readonly text: string }[], max: number, seed = 3): Example[] {
  const pieces = docs.flatMap((d) => d.text.split(/\n+|(?<=[.!?])\s+/)).map((p) => p.replace(/[#*`>|_-]{1,}/g, " ").replace(/\s+/g, " ").trim()).filter((p) => p.length >= 20 && p.length <= 300 && /[a-z]{3,}.*\s.*[a-z]{3,}/i.test(p));
  const unique = [...new Set(pieces)];
  const step = Math.max(1, Math.floor(unique.length / Math.max(1, max)));
  const chosen = unique.filter((_, i) => i % step === 0).slice(0, max);
  const rand = mulberry32(seed);
  const fragments = chosen.map((p) => p.split(" ").slice(0, 2 + Math.floor(rand() * 5)).join(" ")).filter((f) => /[a-z]{3,}/i.test(f));
  return [...chosen, ...fragments].map((text) => ({ text, label: 0 as const }));
}

const logit = (p: number) => Math.log(p / (1 - p));

/**
 * z → a·z + b with a > 0 (the same ranking of every window, so the same max-window order): raw probability
 * `rawBlock` becomes `block` and `rawFlag` becomes `flag`. The weights file's int8 scale absorbs `a`.
 */
export function calibrate(model: LinearModel, rawBlock: number, rawFlag: number, block: number, flag: number): LinearModel {
  const a = (logit(block) - logit(flag)) / (logit(rawBlock) - logit(rawFlag));
  const b = logit(block) - a * logit(rawBlock);
  return new LinearModel(model.weights.map((w) => w * a), model.bias * a + b);
}

function main(): void {
  const dir = dataDir();
  const useSources = process.env.TOXICITY_SOURCES !== "0";
  const shared = readSourcedJsonl(resolve(dir, "toxicity/extra-train.jsonl"));
  // Always loaded (their dev rows choose the tiers and are scored); TOXICITY_SOURCES=0 leaves them out of training only.
  const extra = loadToxicitySources(resolve(__dirname, "eval-data/toxicity-sources.json"));
  const rows: SourcedRow[] = [...shared, ...extra];
  const prompts = [...readJsonl(resolve(dir, "injection/deepset-train.jsonl")), ...readJsonl(resolve(dir, "injection/extra-train.jsonl"))].filter((r) => r.label === 0);
  const sourced = readSources(resolve(__dirname, "eval-data/benign-sources.json"))
    .filter((s) => s.role !== "validation")
    .flatMap((s) => {
      const d = docsFromSource(s, 400);
      if (!d) console.warn(`train-toxicity: mirror of ${s.repo}@${s.commit} not found; training without it`);
      return d ?? [];
    })
    .map((d) => ({ text: d.text, label: 0 as const, role: d.role }));
  const part = <T extends Example>(xs: readonly T[], p: ReturnType<typeof splitOf>) => xs.filter((r) => splitOf(r.text) === p);
  const trainDocs = sourced.filter((d) => d.role === "train");
  const benign = [...prompts, ...trainDocs, ...shortPieces(trainDocs, SHORT_PIECES), ...shortPieces(part(prompts, "train"), SHORT_PIECES)];
  // The split is by the row's own text (as the eval splits it); only the training copy loses its tweet markup.
  const trainSet = [...part(useSources ? rows : shared, "train").map((r) => ({ text: stripTweetMarkup(r.text), label: r.label, weight: SOURCE_WEIGHTS[r.source] ?? 1 })), ...part(benign, "train")];
  const raw = train(trainSet, { epochs: Number(process.env.TOXICITY_EPOCHS ?? 10), lr: 2, l2: Number(process.env.TOXICITY_L2 ?? 1e-6) });
  const devPrompts = part(benign, "dev").map((r) => raw.predict(r.text));
  const devDocs = sourced.filter((d) => d.role === "dev").map((r) => raw.predict(r.text));
  const devRows = part(rows, "dev");
  const devNeg = devRows.filter((r) => r.label === 0).map((r) => raw.predict(r.text));
  const tier = (benignFpr: number, labelledFpr: number, floor: number) => Math.max(chooseThreshold(devPrompts, benignFpr, floor), chooseThreshold(devDocs, benignFpr, floor), chooseThreshold(devNeg, labelledFpr, floor));
  const rawBlock = tier(BLOCK_BENIGN_FPR, BLOCK_LABELLED_FPR, RAW_FLOOR);
  const rawFlag = Math.min(rawBlock - 0.01, tier(FLAG_BENIGN_FPR, FLAG_LABELLED_FPR, RAW_FLOOR));
  const { localThreshold: block, localFlagThreshold: flag } = DEFAULT_POLICY.toxicity;
  const model = calibrate(raw, rawBlock, rawFlag, block, flag);
  const score = (xs: readonly Example[], t: number) => binaryScores(xs.map((r) => ({ predicted: model.predict(r.text) >= t, label: r.label })));
  const bySource = (t: number) => Object.fromEntries([...new Set(rows.map((r) => r.source))].map((s) => [s, score(part(rows.filter((r) => r.source === s), "dev"), t)]));
  const devBySource = bySource(block);
  const macroF1 = Object.values(devBySource).reduce((a, b) => a + b.f1, 0) / Object.keys(devBySource).length;
  const meta = {
    trainedOn: `toxicity/extra-train.jsonl + ${useSources ? "eval-data/toxicity-sources.json" : "(no public sources)"} (train part, tweet markup stripped) + benign prompts of the injection sets + benign train sources`,
    trainRows: trainSet.length,
    split: "splitOf: validation < 0.15 (never used here), dev 0.15–0.30 (tiers), train ≥ 0.30",
    blockThreshold: block,
    flagThreshold: flag,
    calibration: { rawBlock, rawFlag, rule: `block: dev benign prompts and docs FPR ≤ ${BLOCK_BENIGN_FPR}, dev labelled negatives FPR ≤ ${BLOCK_LABELLED_FPR}; flag: ${FLAG_BENIGN_FPR} / ${FLAG_LABELLED_FPR}; raw ≥ ${RAW_FLOOR}` },
    devBenignRows: devPrompts.length + devDocs.length,
    devBenignFpr: { block: [...devPrompts, ...devDocs].filter((p) => p >= rawBlock).length / Math.max(1, devPrompts.length + devDocs.length), flag: [...devPrompts, ...devDocs].filter((p) => p >= rawFlag).length / Math.max(1, devPrompts.length + devDocs.length) },
    dev: score(devRows, block),
    devFlag: score(devRows, flag),
    sourceWeights: SOURCE_WEIGHTS,
    devMacroF1: macroF1,
    devBySource,
  };
  const out = process.env.TOXICITY_OUT ?? resolve(__dirname, "../src/guardrails/models/toxicity.json");
  if (process.env.TOXICITY_DRY_RUN !== "1") writeFileSync(out, JSON.stringify(model.toFile("toxicity", meta)) + "\n");
  console.log(`${process.env.TOXICITY_DRY_RUN === "1" ? "(dry run) " : `wrote ${out}\n`}${JSON.stringify(meta, null, 2)}`);
}

if (require.main === module) runWithData("train-toxicity", main);
