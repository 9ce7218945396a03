/**
 * Guardrails quality on the shared labeled sets ($SHARED_DIR/data or ../shared/data; absent → one line naming
 * the path, exit 2): span-level precision/recall/F1 per PII entity type; precision/recall/FPR/F1 per layer and
 * tier and for the default pipeline on the dev part and on the validation part (never trained or tuned on) of
 * the injection and toxicity sets; and the default pipeline's refusal rate on benign documents of 1–10k
 * characters by length bucket (docs/decisions/0091). Prints the tables and writes them to bench/RESULTS.md under
 * "Guardrails quality". Run: make eval-guardrails
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from "obscenity";
import { DEFAULT_POLICY, PII_ENTITY_TYPES, guardrailsConfigSchema } from "../src/guardrails/config";
import { LENGTH_BUCKETS, bucketOf, docsFromSource, mirrorOf, mulberry32, readSources, syntheticBenign, type BenignDoc } from "../src/guardrails/eval/benign-corpus";
import { GuardrailPipeline } from "../src/guardrails/pipeline";
import { table, writeSection } from "../src/guardrails/eval/results-md";
import { loadPiiSource, readPiiSources } from "../src/guardrails/eval/pii-validation";
import { prf, scoreSpans, type Counts } from "../src/guardrails/eval/span-scores";
import { locallyBlocks, scoreInjectionLocally } from "../src/guardrails/injection/detector";
import { DataMissingError, dataDir, readJsonl, readToxicityCsv } from "../src/guardrails/models/datasets";
import { binaryScores, splitOf, type BinaryScores, type Example, type SplitPart } from "../src/guardrails/models/train";
import { toxicityModel } from "../src/guardrails/moderation/toxicity";
import { RULE_BLOCK, RULE_FLAG, matchToxicity } from "../src/guardrails/moderation/toxicity-rules";
import { analyzePii } from "../src/guardrails/pii/analyze";
import { loadToxicitySources } from "./train-toxicity-sources";

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

/**
 * The same span scores on validation sets (scripts/eval-data/pii-validation-sources.json): other public labeled
 * sources, never looked at while developing the recognizers. Per source, the entity types it labels; predictions
 * of the other types are counted apart, as they may be unlabeled PII rather than errors.
 */
function piiValidationSection(): string {
  const sources = readPiiSources(resolve(__dirname, "eval-data/pii-validation-sources.json")).filter((s) => s.role === "validation");
  const aims: Record<string, number> = { PERSON: 0.8 };
  const body: (string | number)[][] = [];
  const notes: string[] = [];
  for (const src of sources) {
    const name = `${src.repo}@${src.commit.slice(0, 12)}:${src.path}`;
    const set = loadPiiSource(src);
    if (!set) {
      notes.push(`NOT FOUND, skipped: ${name} (expected a bare mirror at ${mirrorOf(src.repo)})`);
      continue;
    }
    const counts = new Map<string, Counts>();
    for (const r of set.records) scoreSpans(r.spans, analyzePii(r.text, DEFAULT_POLICY), PII_ENTITY_TYPES, counts);
    const scored = [...new Set(Object.values(src.labels))];
    for (const t of PII_ENTITY_TYPES.filter((x) => scored.includes(x))) {
      const c = counts.get(t) ?? { tp: 0, fp: 0, fn: 0 };
      const s = prf(c);
      const aim = aims[t] ?? 0.95;
      body.push([`validation: ${src.name ?? src.repo}`, t, c.tp + c.fn, c.tp, c.fp, c.fn, s.precision, s.recall, s.f1, `≥ ${aim}`, s.f1 >= aim ? "yes" : "no"]);
    }
    const other = PII_ENTITY_TYPES.filter((t) => !scored.includes(t)).map((t) => `${t} ${counts.get(t)?.fp ?? 0}`);
    notes.push(`${name} (${src.license}): ${set.records.length} records; labels of scored types not found in the text: ${set.unlocated}; predictions of types it does not label: ${other.join(", ")}.`);
  }
  return [
    "PII validation (sources other than the development set above, never used to develop or tune the recognizers; span-level, IoU > 0.5, default thresholds; scripts/eval-data/pii-validation-sources.json, read from local git mirrors, nothing committed):",
    "",
    table(["set", "entity", "gold spans", "TP", "FP", "FN", "precision", "recall", "F1", "aim", "met"], body),
    "",
    ...notes.map((n) => `- ${n}`),
  ].join("\n");
}

const row = (name: string, rows: string, s: BinaryScores, extra = ""): (string | number)[] => [name, rows, s.n, s.positives, s.precision, s.recall, s.fpr, s.f1, extra];
const HEADER = ["layer", "rows", "n", "positives", "precision", "recall", "FPR", "F1", "note"];
const part = (xs: readonly Example[], p: SplitPart) => xs.filter((r) => splitOf(r.text) === p);
const CTX = { route: "chat.completions", tenant: "eval" };

/** The default pipeline (README config, no TEI) on one user message: refused or not. */
async function refuses(pipeline: GuardrailPipeline, text: string): Promise<{ blocked: boolean; guard?: string }> {
  const v = await pipeline.checkInput([{ role: "user", content: text }], CTX);
  return v.action === "block" ? { blocked: true, ...(v.block ? { guard: v.block.guard } : {}) } : { blocked: false };
}

async function pipelineScores(pipeline: GuardrailPipeline, xs: readonly Example[]): Promise<BinaryScores> {
  const pairs: { predicted: boolean; label: 0 | 1 }[] = [];
  for (const r of xs) pairs.push({ predicted: (await refuses(pipeline, r.text)).blocked, label: r.label });
  return binaryScores(pairs);
}

async function injectionSection(dir: string, pipeline: GuardrailPipeline): Promise<string> {
  const deepset = readJsonl(resolve(dir, "injection/deepset-train.jsonl"));
  const extra = readJsonl(resolve(dir, "injection/extra-train.jsonl"));
  const p = DEFAULT_POLICY.injection;
  const judge = (xs: readonly Example[], mode: "rules-block" | "rules-flag" | "model-block" | "combined-block" | "detector-block" | "detector-flag") =>
    binaryScores(
      xs.map((r) => {
        const s = scoreInjectionLocally(r.text, mode !== "rules-block" && mode !== "rules-flag");
        const predicted =
          mode === "rules-block" ? s.rules >= p.blockThreshold : mode === "rules-flag" ? s.rules >= p.threshold : mode === "model-block" ? s.model >= p.modelThreshold : mode === "combined-block" ? s.cue >= p.combined.rules && s.model >= p.combined.model : mode === "detector-block" ? locallyBlocks(s, DEFAULT_POLICY) : s.score >= p.threshold || locallyBlocks(s, DEFAULT_POLICY);
        return { predicted, label: r.label };
      }),
    );
  const body: (string | number)[][] = [];
  for (const [name, set] of [
    ["dev", "dev"],
    ["validation", "validation"],
  ] as const) {
    const all = part([...deepset, ...extra], set);
    body.push(
      row("rules, block tier", `${name} (deepset+extra)`, judge(all, "rules-block"), `rules ≥ ${p.blockThreshold}`),
      row("rules, flag tier", `${name} (deepset+extra)`, judge(all, "rules-flag"), `rules ≥ ${p.threshold}: flagged, not refused`),
      row("n-gram model, block tier", `${name} (deepset+extra)`, judge(all, "model-block"), `p ≥ ${p.modelThreshold}`),
      row("rules + model, combined tier", `${name} (deepset+extra)`, judge(all, "combined-block"), `rule cue ≥ ${p.combined.rules} and p ≥ ${p.combined.model}`),
      row("detector, block tier (refuses)", `${name} (deepset+extra)`, judge(all, "detector-block")),
      row("detector, block or flag", `${name} (deepset+extra)`, judge(all, "detector-flag"), "what a TEI classifier would be asked to decide"),
      row("default pipeline (refusals)", `${name} deepset`, await pipelineScores(pipeline, part(deepset, set)), "checkInput, README config, no TEI"),
      row("default pipeline (refusals)", `${name} extra`, await pipelineScores(pipeline, part(extra, set))),
    );
  }
  // Hand-written benign prompts with trigger words (dev: the combined tier was chosen so they pass).
  const triggers = (JSON.parse(readFileSync(resolve(__dirname, "eval-data/injection-benign-triggers.json"), "utf8")) as { prompts: string[] }).prompts;
  body.push(row("default pipeline (refusals)", "dev benign trigger-word prompts", await pipelineScores(pipeline, triggers.map((text) => ({ text, label: 0 as const }))), "eval-data/injection-benign-triggers.json (hand-written; FPR = refusal rate)"));
  return [
    `Injection: deepset-train.jsonl (${deepset.length}) + extra-train.jsonl (${extra.length}), three-way split by text hash (models/train.ts splitOf): the n-gram model trained on "train" (≥ 0.30), its block threshold chosen on "dev" (0.15–0.30), "validation" (< 0.15) never used for either — the validation rows are the figures to quote. Rules involve no training but were written looking at these sets' style. Aim (issue 16): recall ≥ 0.8 with benign refusals ≤ 2 %.`,
    "",
    table(HEADER, body),
  ].join("\n");
}

async function toxicitySection(dir: string, pipeline: GuardrailPipeline): Promise<string> {
  const surge = readToxicityCsv(resolve(dir, "toxicity/surge-toxicity-en.csv"));
  const extra = readJsonl(resolve(dir, "toxicity/extra-train.jsonl"));
  const lexicon = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });
  const model = toxicityModel();
  const t = DEFAULT_POLICY.toxicity;
  const ruleWeight = (text: string) => Math.max(0, ...matchToxicity(text).map((h) => h.weight));
  const rulesAt = (xs: readonly Example[], th: number) => binaryScores(xs.map((r) => ({ predicted: ruleWeight(r.text) >= th, label: r.label })));
  const at = (xs: readonly Example[], th: number) => binaryScores(xs.map((r) => ({ predicted: model.predict(r.text) >= th, label: r.label })));
  const body: (string | number)[][] = [
    row("obscenity lexicon", "surge (validation)", binaryScores(surge.map((r) => ({ predicted: lexicon.hasMatch(r.text), label: r.label })))),
    row("n-gram model, block tier", "surge (validation)", at(surge, t.localThreshold), `p ≥ ${t.localThreshold}`),
    row("n-gram model, block or flag", "surge (validation)", at(surge, t.localFlagThreshold), `p ≥ ${t.localFlagThreshold}`),
    row("n-gram model p ≥ 0.5", "surge (validation)", at(surge, 0.5), "for comparison only; not a tuned choice"),
    row("phrase rules, block tier", "surge (validation)", rulesAt(surge, RULE_BLOCK), `family weight ≥ ${RULE_BLOCK} (moderation/toxicity-rules.ts)`),
    row("phrase rules, block or flag", "surge (validation)", rulesAt(surge, RULE_FLAG), `weight ≥ ${RULE_FLAG}`),
    row("model + rules, block or flag", "surge (validation)", binaryScores(surge.map((r) => ({ predicted: model.predict(r.text) >= t.localFlagThreshold || ruleWeight(r.text) >= RULE_FLAG, label: r.label }))), "what a TEI classifier would be asked to decide"),
    row("default pipeline (refusals)", "surge (validation)", await pipelineScores(pipeline, surge), "checkInput, README config, no TEI"),
    row("n-gram model, block tier", "extra-train dev", at(part(extra, "dev"), t.localThreshold), "same sources as training"),
    row("n-gram model, block tier", "extra-train validation", at(part(extra, "validation"), t.localThreshold), "same sources as training"),
    row("phrase rules, block tier", "extra-train validation", rulesAt(part(extra, "validation"), RULE_BLOCK), "rules written looking at train/dev rows only"),
  ];
  // The public sets trained on (scripts/eval-data/toxicity-sources.json): their validation part, never trained or tuned on.
  const sourced = loadToxicitySources(resolve(__dirname, "eval-data/toxicity-sources.json"));
  for (const name of [...new Set(sourced.map((r) => r.source))]) {
    const v = part(sourced.filter((r) => r.source === name), "validation");
    body.push(
      row("n-gram model, block tier", `${name} validation`, at(v, t.localThreshold), "same source as training"),
      row("default pipeline (refusals)", `${name} validation`, await pipelineScores(pipeline, v), v.some((r) => r.label === 0) ? "FPR: non-hateful contrasts (identity terms, profanity, counter-speech)" : "all rows toxic: recall"),
    );
  }
  return [
    `Toxicity: the model (models/toxicity.json) trained on the "train" part of toxicity/extra-train.jsonl (Davidson tweets + ToxiGen) and of the public sets in scripts/eval-data/toxicity-sources.json (HateCheck; AILuminate's hate, self-harm, sexual and violent-crime prompts; docs/decisions/0098) plus benign prompts, documents and short pieces of them; tiers chosen on "dev"; the phrase rules (self-harm, threats, identity attacks, insults; docs/decisions/0094) written from the issue's categories and checked against the train and dev parts, benign prompts and the train/dev benign documents only; surge-toxicity-en.csv (${surge.length} rows) is never trained or tuned on (another source and style): the honest figure. Aim (issue 16): F1 ≥ 0.7 with the in-process layer alone.`,
    "",
    table(HEADER, body),
  ].join("\n");
}

/** Benign documents of 1–10k characters: refusal rate of the default pipeline by length bucket, source and layer. */
async function benignSection(pipeline: GuardrailPipeline): Promise<string> {
  const sources = readSources(resolve(__dirname, "eval-data/benign-sources.json")).filter((s) => s.role === "validation");
  const docs: BenignDoc[] = [];
  const missing: string[] = [];
  for (const s of sources) {
    const d = docsFromSource(s, 60, 23);
    if (d) docs.push(...d);
    else missing.push(`${s.repo}@${s.commit.slice(0, 12)} (expected a bare mirror at ${mirrorOf(s.repo)})`);
  }
  const synthetic = syntheticBenign(6, 101);
  const all = [...docs, ...synthetic];
  const results: { doc: BenignDoc; blocked: boolean; guard?: string }[] = [];
  for (const doc of all) results.push({ doc, ...(await refuses(pipeline, doc.text)) });
  const rate = (xs: readonly typeof results[number][]) => (xs.length === 0 ? 0 : xs.filter((r) => r.blocked).length / xs.length);
  const guards = ["injection", "toxicity", "pii", "topics"];
  const line = (name: string, xs: readonly typeof results[number][]): (string | number)[] => [name, xs.length, rate(xs), ...guards.map((g) => (xs.length === 0 ? 0 : xs.filter((r) => r.guard === g).length / xs.length))];
  const body: (string | number)[][] = [];
  for (const [label, xs] of [
    ["public validation sources", results.filter((r) => r.doc.source !== "synthetic")],
    ["synthetic (scripts' own generator)", results.filter((r) => r.doc.source === "synthetic")],
  ] as const) {
    body.push(line(`${label}, all`, xs));
    for (const [lo, hi] of LENGTH_BUCKETS) body.push(line(`${label}, ${bucketOf(lo)} chars`, xs.filter((r) => r.doc.text.length >= lo && r.doc.text.length < hi)));
  }
  for (const g of [...new Set(results.map((r) => r.doc.genre))]) body.push(line(`genre: ${g}`, results.filter((r) => r.doc.genre === g)));
  return [
    `Benign long text (over-blocking): the default pipeline (checkInput, README config, no TEI) on benign documents of 1–10,000 characters that no layer was trained or tuned on — pieces of ${sources.map((s) => `${s.repo}@${s.commit.slice(0, 12)} (${s.license})`).join(", ")} (scripts/eval-data/benign-sources.json; read from local git mirrors, nothing committed)${missing.length ? `; NOT FOUND, skipped: ${missing.join(", ")}` : ""} — and the project's own generator (src/guardrails/eval/benign-corpus.ts: emails, tickets, chat transcripts, tables, CSV, code, number lists, office prose with trigger words; its sentences were written knowing the issue's examples, so read it as a regression set). Refusal rate overall and by the guard that refused. Aim (issue 16): ≤ 2 % overall, ≤ 3 % in every bucket.`,
    "",
    table(["set", "docs", "refused", ...guards.map((g) => `by ${g}`)], body),
  ].join("\n");
}

/**
 * Indirect injection: validation attacks (the injection sets' validation part, ≤ 400 characters) planted at a
 * line break inside public validation documents, scanned as retrieved data (checkRetrieved); the same documents
 * clean give the false-drop rate. Generated, so a stand-in for a real indirect set (BIPIA is kept for judging).
 */
async function indirectSection(dir: string, pipeline: GuardrailPipeline): Promise<string> {
  const attacks = part([...readJsonl(resolve(dir, "injection/deepset-train.jsonl")), ...readJsonl(resolve(dir, "injection/extra-train.jsonl"))], "validation").filter((r) => r.label === 1 && r.text.length <= 400);
  const sources = readSources(resolve(__dirname, "eval-data/benign-sources.json")).filter((s) => s.role === "validation");
  const docs = sources.flatMap((s) => docsFromSource(s, 40, 29) ?? []).filter((d) => d.text.length >= 300);
  if (docs.length === 0 || attacks.length === 0) return "Indirect injection: skipped (no validation documents: their git mirrors are absent).";
  const rand = mulberry32(5);
  const planted = docs.map((d, i) => {
    const a = (attacks[i % attacks.length] as Example).text;
    const cut = d.text.indexOf("\n", Math.floor(rand() * d.text.length));
    const at = cut < 0 ? d.text.length : cut;
    return `${d.text.slice(0, at)}\n${a}\n${d.text.slice(at)}`;
  });
  const dropRate = async (texts: readonly string[]) => (await pipeline.checkRetrieved(texts, { route: "rag.query", tenant: "eval" })).dropped.length / texts.length;
  const body = [
    ["planted (attack inside a document)", planted.length, await dropRate(planted)],
    ["clean (same documents)", docs.length, await dropRate(docs.map((d) => d.text))],
  ];
  return [
    `Indirect injection (checkRetrieved: each chunk scanned as data, dropped on a block or, retrieved.dropFlagged, a flag): ${attacks.length} validation attacks planted in ${docs.length} public validation documents of 300–10,000 characters. Aim (issue 16): ≥ 0.6 on indirect injection.`,
    "",
    table(["set", "docs", "dropped"], body),
  ].join("\n");
}

async function main(): Promise<void> {
  const dir = dataDir();
  const pipeline = new GuardrailPipeline(guardrailsConfigSchema.parse({}));
  const sections = [piiSection(dir), piiValidationSection(), await injectionSection(dir, pipeline), await toxicitySection(dir, pipeline), await indirectSection(dir, pipeline), await benignSection(pipeline)];
  const body = [`Measured by \`make eval-guardrails\` (npx tsx services/gateway/scripts/eval-guardrails.ts) on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.`, "", sections.join("\n\n")].join("\n");
  console.log(body);
  writeSection("Guardrails quality", body);
}

main().catch((err: unknown) => {
  if (err instanceof DataMissingError) {
    process.stderr.write(`eval-guardrails: ${err.message}\n`);
    process.exitCode = 2;
    return;
  }
  throw err;
});
