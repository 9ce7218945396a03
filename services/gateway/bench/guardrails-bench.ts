/**
 * Guardrails speed: the local layers (no TEI), default policy — the whole input check, the output check and
 * each input detector alone — on ordinary English prompts of 1 KB, 10 KB and 100 KB: p50/p95/p99 latency over
 * every timed iteration (after a warm-up), the spread of p99 across rounds, and throughput in MB/s from the
 * mean. The machine's load average is printed beside each group of figures (the machine is shared). Writes
 * bench/RESULTS.md "Guardrails speed". Run: npx tsx services/gateway/bench/guardrails-bench.ts
 * (BENCH_QUICK=1 for a short smoke run that does not write RESULTS.md.)
 */
import { cpus, loadavg, totalmem } from "node:os";
import { createGuardrails, guardrailsConfigSchema } from "../src/guardrails";
import { DEFAULT_POLICY, type DetectorId } from "../src/guardrails/config";
import { DETECTORS } from "../src/guardrails/detectors";
import { table, writeSection } from "../src/guardrails/eval/results-md";

const PARAGRAPH =
  "Hi, I'm preparing the quarterly review for the EMEA sales team. Could you summarise the attached notes into five " +
  "bullet points, highlight the main risks the auditors raised, and suggest two follow-up questions for the finance " +
  "lead? Keep it under 200 words and use a neutral tone. The notes mention revenue growth of 12% year on year, a " +
  "delayed product launch in Germany, higher logistics costs in the second quarter, and a new partnership with a " +
  "regional distributor. Please also flag anything that looks inconsistent between the revenue and cost figures, " +
  "and tell me which numbers I should double-check before the meeting on Thursday. If anything is unclear, say so. ";

const QUICK = process.env.BENCH_QUICK === "1";

/**
 * `count` distinct prompts of `bytes` characters (ASCII, so characters = bytes). Distinct texts, more of them
 * than the guardrails' per-text normalization ring (8), so nothing cached carries over between iterations:
 * each iteration pays for its text in full, as a new request does.
 */
function prompts(bytes: number, count: number): string[] {
  const body = PARAGRAPH.repeat(Math.ceil(bytes / PARAGRAPH.length) + 1);
  return Array.from({ length: count }, (_, i) => {
    const tag = ` #${i}`;
    return `${body.slice(0, bytes - tag.length)}${tag}`;
  });
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

interface Stats {
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly mean: number;
  /** Lowest and highest per-round p99: how much the shared machine moved the tail during the run. */
  readonly p99Rounds: readonly [number, number];
}

/** Warm-up, then `rounds` × `iterations` timed calls; percentiles over all of them (pooled). */
async function measure(fn: () => unknown, iterations: number, rounds: number, warmup: number): Promise<Stats> {
  for (let i = 0; i < warmup; i++) await fn();
  const all = new Float64Array(iterations * rounds);
  const roundP99: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const times = new Float64Array(iterations);
    for (let i = 0; i < iterations; i++) {
      const t = process.hrtime.bigint();
      await fn();
      times[i] = Number(process.hrtime.bigint() - t) / 1e6;
    }
    all.set(times, r * iterations);
    roundP99.push(percentile(times.sort(), 99));
  }
  all.sort();
  let sum = 0;
  for (const t of all) sum += t;
  return { p50: percentile(all, 50), p95: percentile(all, 95), p99: percentile(all, 99), mean: sum / all.length, p99Rounds: [Math.min(...roundP99), Math.max(...roundP99)] };
}

const load = (): string => loadavg().map((l) => l.toFixed(2)).join(" ");
const kb = (bytes: number): string => `${bytes / 1024} KB`;

async function main(): Promise<void> {
  const startLoad = load();
  const g = createGuardrails(guardrailsConfigSchema.parse({}));
  const ctx = { route: "chat.completions", tenant: "bench" };
  const ids: DetectorId[] = ["pii", "injection", "profanity", "toxicity", "topics"];
  const sizes = [
    { bytes: 1024, iterations: QUICK ? 300 : 2000, rounds: QUICK ? 2 : 5, warmup: QUICK ? 300 : 2000 },
    { bytes: 10 * 1024, iterations: QUICK ? 50 : 300, rounds: QUICK ? 2 : 5, warmup: QUICK ? 50 : 300 },
    { bytes: 100 * 1024, iterations: QUICK ? 5 : 40, rounds: QUICK ? 2 : 5, warmup: QUICK ? 5 : 30 },
  ];
  const rows: (string | number)[][] = [];
  const inputP50: number[] = [];
  const row = (what: string, bytes: number, s: Stats, target = "", met = ""): void => {
    rows.push([what, kb(bytes), s.p50, s.p95, s.p99, `${s.p99Rounds[0].toFixed(3)}–${s.p99Rounds[1].toFixed(3)}`, bytes / 1e6 / (s.mean / 1000), target, met, load()]);
  };
  for (const { bytes, iterations, rounds, warmup } of sizes) {
    const texts = prompts(bytes, 64);
    let k = 0;
    const next = (): string => texts[k++ % texts.length] as string;
    for (const id of ids) {
      const s = await measure(() => DETECTORS[id].run({ text: next(), stage: "input", policy: DEFAULT_POLICY, complete: true }, {}), iterations, rounds, warmup);
      row(`detector ${id} alone`, bytes, s);
    }
    // The whole checks last, when every detector's code is warm.
    const input = await measure(() => g.checkInput([{ role: "user", content: next() }], ctx), iterations, rounds, warmup);
    // Issue 16: p99 ≤ 2 ms for 1 KB, and linear in length: each 10× size costs at most 1.5 × 10× the p50.
    const previous = inputP50.at(-1);
    inputP50.push(input.p50);
    if (bytes === 1024) row("checkInput, all local input detectors", bytes, input, "p99 ≤ 2 ms", input.p99 <= 2 ? "yes" : "no");
    else row("checkInput, all local input detectors", bytes, input, "p50 ≤ 15 × the 10× smaller row's", previous !== undefined && input.p50 <= 15 * previous ? "yes" : "no");
    const output = await measure(() => g.checkOutput(next(), ctx), iterations, rounds, warmup);
    row("checkOutput, default output detectors", bytes, output);
  }
  // Headline rows first: the whole checks, by size; then each detector.
  const order = (r: (string | number)[]): number => (String(r[0]).startsWith("checkInput") ? 0 : String(r[0]).startsWith("checkOutput") ? 1 : 2);
  rows.sort((a, b) => order(a) - order(b));
  const body = [
    "Measured by `npx tsx services/gateway/bench/guardrails-bench.ts`: the local guardrail layers (no TEI), default policy, ordinary English prompts of 1, 10 and 100 KB (64 distinct texts in rotation, so no per-text cache carries over between iterations); latency in ms, pooled over all timed iterations after a warm-up (1 KB: 5 × 2,000; 10 KB: 5 × 300; 100 KB: 5 × 40), with the lowest–highest per-round p99; throughput from the mean. \"detector X alone\" pays for its own text normalization, which the whole check shares between detectors. The load column is the 1/5/15-minute load average when the row finished.",
    "",
    `### ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}; load average before the run ${startLoad}, after ${load()}.`,
    "",
    table(["what", "input", "p50 (ms)", "p95 (ms)", "p99 (ms)", "p99 per round", "MB/s", "target", "met", "load avg"], rows),
  ].join("\n");
  console.log(body);
  if (!QUICK) writeSection("Guardrails speed", body);
}

void main();
