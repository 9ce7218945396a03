/**
 * How a gateway benchmark run lands in bench/RESULTS.md, and how it is judged. Entries are appended to the
 * "## Gateway" section, earlier ones kept: the machine under the benchmark changes between sessions, so an entry
 * is only comparable with the others through its own floor rows and calibration, and the history is the record.
 */
import { findSection } from "../src/guardrails/eval/results-md";

/** Appends `entry` at the end of the `## <heading>` section (before the next `## ` heading), creating the section with `intro` when missing. */
export function appendToSection(doc: string, heading: string, intro: string, entry: string): string {
  const block = `${entry.trim()}\n`;
  const at = findSection(doc, heading);
  if (!at) return `${doc.trimEnd()}\n\n## ${heading}\n\n${intro.trim()}\n\n${block}`;
  const kept = doc.slice(at.bodyStart, at.end).trim();
  const after = at.end < doc.length ? `\n${doc.slice(at.end)}` : "";
  return `${doc.slice(0, at.bodyStart)}\n${kept ? `${kept}\n\n` : `${intro.trim()}\n\n`}${block}${after}`;
}

/**
 * The verdict on the target (overhead p99 ≤ `targetMs`, judged on the median of the runs of (b)), and what the
 * floor with one Redis round trip (f) says about this machine: when even it misses the target, no Redis-backed
 * gateway could meet it here, and the entry says so rather than leaving "not met" to be read as the gateway's.
 */
export function targetVerdict(runs: number, medianP99: number, floorP99: number | undefined, targetMs = 1): string {
  const ms = (n: number): string => `${n.toFixed(3)} ms`;
  const verdict = Number.isNaN(medianP99) ? "not measured" : medianP99 <= targetMs ? "met" : "not met";
  const head = `judged on the median of the ${runs} run${runs === 1 ? "" : "s"} of (b) (${Number.isNaN(medianP99) ? "–" : ms(medianP99)}): ${verdict}.`;
  if (floorP99 === undefined || Number.isNaN(floorP99)) return head;
  if (floorP99 <= targetMs) return `${head} The floor with one Redis round trip (f) had overhead p99 ${ms(floorP99)}.`;
  return `${head} The floor with one Redis round trip (f) had overhead p99 ${ms(floorP99)}: on this machine the target is out of reach of any Redis-backed gateway, not only of this one.`;
}

/** One of issue 18's targets, as a ratio of two quantities measured in the same run. */
export interface RatioTarget {
  /** What is compared, e.g. "max throughput, gateway ÷ Portkey OSS". */
  readonly label: string;
  readonly numerator: number;
  readonly denominator: number;
  /** The bound on numerator ÷ denominator. */
  readonly bound: number;
  /** true: the ratio must be ≥ bound; false: ≤ bound. */
  readonly atLeast: boolean;
  /** The two quantities, in words (e.g. "2,150 vs 782 req/s"). */
  readonly detail: string;
}

/** The median of a list (of an even number, the mean of the two middle values); NaN for none. */
export function median(values: readonly number[]): number {
  const s = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (s.length === 0) return Number.NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
}

/** The verdict line of one target: its ratio, the bound and whether it was met. */
export function ratioVerdict(t: RatioTarget): string {
  const ratio = t.numerator / t.denominator;
  const measured = Number.isFinite(ratio);
  const met = measured && (t.atLeast ? ratio >= t.bound : ratio <= t.bound);
  return `- ${t.label}: ${measured ? ratio.toFixed(2) : "–"} (target ${t.atLeast ? "≥" : "≤"} ${t.bound}; ${t.detail}): ${measured ? (met ? "met" : "not met") : "not measured"}.`;
}
