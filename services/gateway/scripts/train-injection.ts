/**
 * Retrains src/guardrails/models/injection.json from the shared injection sets (deepset + extra-train) plus
 * benign text: the toxicity set's non-toxic rows and documents from the `train` sources of
 * scripts/eval-data/benign-sources.json (negatives, when their mirrors are present); the `dev` sources' documents
 * (never trained on) calibrate the block tier with the dev prompts. Three-way split by text hash (models/train.ts `splitOf`, docs/decisions/0091): the
 * model learns on `train`, the block-tier threshold is chosen on `dev` (the lowest probability whose window FPR on
 * dev benign rows is ≤ 0.5 %), and `validation` is never looked at here — only eval-guardrails.ts scores it.
 * Run: npx tsx services/gateway/scripts/train-injection.ts (make train-guardrails)
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { docsFromSource, mirrorOf, readSources } from "../src/guardrails/eval/benign-corpus";
import { dataDir, readJsonl, runWithData } from "../src/guardrails/models/datasets";
import { binaryScores, splitOf, train, type Example } from "../src/guardrails/models/train";

/** Block tier: the chosen threshold keeps the dev benign false-positive rate at or below this. */
const DEV_FPR_BUDGET = 0.005;
/** The model blocks alone only when very sure, whatever the dev set allows (0.92 at first; 0.91 re-chosen on dev in decision 0105: the lowest 0.01 step with dev benign FPR 0, no dev document refused, ≤ 1/60 trigger-word prompts refused and no hand-written benign test prompt refused — "From now on, please answer in French." scores 0.908). */
const BLOCK_FLOOR = 0.91;

export function chooseThreshold(scores: readonly number[], budget: number, floor = 0.5): number {
  const sorted = [...scores].sort((a, b) => b - a);
  const allowed = Math.floor(sorted.length * budget);
  // Just above the (allowed+1)-th highest benign score, rounded up to 0.01, never below `floor`.
  return Math.max(floor, Math.min(0.99, Math.ceil(((sorted[allowed] ?? 0) + 1e-9) * 100) / 100));
}

/** A pinned prompt list in a public repository (scripts/eval-data/injection-train-sources.json, decision 0105). */
interface PromptSource {
  repo: string;
  commit: string;
  license: string;
  path: string;
  /** `key` for a string list, `key[].sub` for a list of objects whose `sub` is the text. */
  field: string;
  label: 0 | 1;
  role: "train";
  /** false: checked, kept on record, not trained on (the reason is in the entry's `note`). */
  use: boolean;
}

/** Picks the strings at `field` ("a", "a[].b") of a parsed JSON file; anything else is skipped, not guessed. */
export function pickStrings(doc: unknown, field: string): string[] {
  const [key, sub] = field.split("[].");
  const list = (doc as Record<string, unknown> | null)?.[key ?? ""];
  if (!Array.isArray(list)) return [];
  const items: unknown[] = sub === undefined ? list : list.map((x) => (x as Record<string, unknown> | null)?.[sub]);
  return items.filter((x): x is string => typeof x === "string" && x.trim().length > 0);
}

/** Rows of the extra prompt sources whose mirrors are present; a missing mirror is warned about and skipped. */
function promptSourceRows(): Example[] {
  const sources = JSON.parse(readFileSync(resolve(__dirname, "eval-data/injection-train-sources.json"), "utf8")) as { sources: PromptSource[] };
  return sources.sources.filter((s) => s.use).flatMap((s) => {
    try {
      const text = execFileSync("git", ["--git-dir", mirrorOf(s.repo), "show", `${s.commit}:${s.path}`], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      return pickStrings(JSON.parse(text), s.field).map((t) => ({ text: t, label: s.label }));
    } catch {
      console.warn(`train-injection: ${s.repo}@${s.commit}:${s.path} not readable; training without it`);
      return [];
    }
  });
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
  // Extra public prompt lists: only their train part, so dev/validation are the same rows as before (0105).
  const extra = part(promptSourceRows(), "train");
  const trainSet = [...part(rows, "train"), ...part(benignRows, "train"), ...sourced.filter((d) => d.role === "train"), ...extra];
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
    trainedOn: "deepset-train.jsonl + extra-train.jsonl (train part) + benign train sources (eval-data/benign-sources.json) + eval-data/injection-train-sources.json (train part)",
    trainRows: trainSet.length,
    extraSourceRows: extra.length,
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
