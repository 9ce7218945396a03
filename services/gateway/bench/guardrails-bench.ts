/**
 * Guardrails speed: the local layers (no TEI) on a 1 KB prompt — the whole input check and each detector —
 * as p50/p99 latency and throughput, plus a 100 KB prompt for the linear-time picture. Writes
 * bench/RESULTS.md "Guardrails speed". Run: npx tsx services/gateway/bench/guardrails-bench.ts
 */
import { cpus, loadavg, totalmem } from "node:os";
import { createGuardrails, guardrailsConfigSchema } from "../src/guardrails";
import { DEFAULT_POLICY, type DetectorId } from "../src/guardrails/config";
import { DETECTORS } from "../src/guardrails/detectors";
import { table, writeSection } from "../src/guardrails/eval/results-md";

const PROMPT_1KB = (
  "Hi, I'm preparing the quarterly review for the EMEA sales team. Could you summarise the attached notes into five " +
  "bullet points, highlight the main risks the auditors raised, and suggest two follow-up questions for the finance " +
  "lead? Keep it under 200 words and use a neutral tone. The notes mention revenue growth of 12% year on year, a " +
  "delayed product launch in Germany, higher logistics costs in the second quarter, and a new partnership with a " +
  "regional distributor. Please also flag anything that looks inconsistent between the revenue and cost figures, " +
  "and tell me which numbers I should double-check before the meeting on Thursday. If anything is unclear, say so. "
).repeat(3).slice(0, 1024);

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/**
 * Five rounds of `iterations`; each statistic is the median over the rounds, which damps other processes on a
 * shared 2-core machine without hiding a systematic tail (it would show in most rounds).
 */
async function measure(fn: () => unknown, iterations: number, rounds = 5): Promise<{ p50: number; p99: number; mean: number }> {
  for (let i = 0; i < Math.min(500, iterations); i++) await fn();
  const stats: { p50: number; p99: number; mean: number }[] = [];
  for (let r = 0; r < rounds; r++) {
    const times: number[] = [];
    for (let i = 0; i < iterations; i++) {
      const t = process.hrtime.bigint();
      await fn();
      times.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    times.sort((a, b) => a - b);
    stats.push({ p50: percentile(times, 50), p99: percentile(times, 99), mean: times.reduce((a, b) => a + b, 0) / times.length });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
  return { p50: median(stats.map((s) => s.p50)), p99: median(stats.map((s) => s.p99)), mean: median(stats.map((s) => s.mean)) };
}

async function main(): Promise<void> {
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  const g = createGuardrails(guardrailsConfigSchema.parse({}));
  const ctx = { route: "chat.completions", tenant: "bench" };
  // Eight variants in rotation, so no per-text memo carries over between iterations.
  const variants = Array.from({ length: 8 }, (_, i) => `${PROMPT_1KB.slice(0, 1020)} #${i}`);
  let k = 0;
  const next = (): string => variants[k++ % variants.length] as string;
  const rows: (string | number)[][] = [];
  const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000);
  const ids: DetectorId[] = ["pii", "injection", "profanity", "toxicity", "topics"];
  for (const id of ids) {
    const m = await measure(() => DETECTORS[id].run({ text: next(), stage: "input", policy: DEFAULT_POLICY, complete: true }, {}), 1000);
    rows.push([`detector ${id}`, "1 KB", m.p50, m.p99, mbps(1024, m.mean), "", ""]);
  }
  // The whole check last, when every detector's code is warm (measured first it paid for JIT tiering).
  const whole = await measure(() => g.checkInput([{ role: "user", content: next() }], ctx), 2000);
  rows.unshift(["checkInput, all local input detectors", "1 KB", whole.p50, whole.p99, mbps(1024, whole.mean), "p99 < 1 ms", whole.p99 < 1 ? "yes" : "no"]);
  const big = PROMPT_1KB.repeat(100);
  const bigM = await measure(() => g.checkInput([{ role: "user", content: big }], ctx), 20, 3);
  rows.push(["checkInput, all local input detectors", "100 KB", bigM.p50, bigM.p99, mbps(big.length, bigM.mean), "linear", ""]);
  const out = await measure(() => g.checkOutput(next(), ctx), 1000);
  rows.push(["checkOutput, default output detectors", "1 KB", out.p50, out.p99, mbps(1024, out.mean), "", ""]);
  const body = [
    "Measured by `npx tsx services/gateway/bench/guardrails-bench.ts`: the local guardrail layers (no TEI), default policy, an ordinary 1 KB English prompt; latency in ms, throughput from the mean; each figure is the median of 5 rounds.",
    "",
    `### ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${cpus().length} cores (${cpus()[0]?.model.trim() ?? "unknown"}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load average before the run ${load}.`,
    "",
    table(["what", "input", "p50 (ms)", "p99 (ms)", "MB/s", "target", "met"], rows),
  ].join("\n");
  console.log(body);
  writeSection("Guardrails speed", body);
}

void main();
