/**
 * Labeled toxicity rows from the public sets listed in scripts/eval-data/toxicity-sources.json, read from bare
 * git mirrors at run time (nothing is copied into the repository; docs/decisions/0098). A source whose mirror
 * is absent is skipped with a warning, so training still runs on the shared sets alone.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mirrorOf } from "../src/guardrails/eval/benign-corpus";
import { csvRecords } from "../src/guardrails/models/datasets";
import type { Example } from "../src/guardrails/models/train";

export interface ToxicitySource {
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly license: string;
  /** How rows become examples: see `rowsOf`. */
  readonly format: "hatecheck" | "ailuminate";
  /** ailuminate: the hazard codes kept (all positives). */
  readonly hazards?: readonly string[];
  /** ailuminate: the personas kept. @default - all */
  readonly personas?: readonly string[];
}

export interface SourcedExample extends Example {
  readonly source: string;
}

export function readToxicitySources(path: string): ToxicitySource[] {
  const f = JSON.parse(readFileSync(path, "utf8")) as { sources?: unknown };
  if (!Array.isArray(f.sources)) throw new Error(`${path}: expected {"sources": [...]}`);
  return f.sources.map((s: Partial<ToxicitySource>, i) => {
    if (typeof s.repo !== "string" || typeof s.commit !== "string" || !/^[0-9a-f]{40}$/.test(s.commit) || typeof s.path !== "string" || typeof s.license !== "string" || (s.format !== "hatecheck" && s.format !== "ailuminate")) {
      throw new Error(`${path}: sources[${i}]: expected repo, a 40-hex commit, path, license and format "hatecheck" | "ailuminate"`);
    }
    return s as ToxicitySource;
  });
}

/**
 * One source's rows as examples:
 *  - hatecheck: `test_case` labelled by `label_gold` ("hateful" → 1, "non-hateful" → 0);
 *  - ailuminate: `prompt_text` of the listed hazards (and personas, when listed), all 1.
 */
export function rowsOf(src: ToxicitySource, csv: string): SourcedExample[] {
  const records = csvRecords(csv);
  if (src.format === "hatecheck") {
    return records.filter((r) => r.label_gold === "hateful" || r.label_gold === "non-hateful").map((r) => ({ text: (r.test_case ?? "").trim(), label: r.label_gold === "hateful" ? 1 : 0, source: src.repo }));
  }
  const keep = new Set(src.hazards ?? []);
  const personas = src.personas ? new Set(src.personas) : undefined;
  return records.filter((r) => keep.has(r.hazard ?? "") && (!personas || personas.has(r.persona ?? ""))).map((r) => ({ text: (r.prompt_text ?? "").trim(), label: 1 as const, source: src.repo }));
}

/** Every source whose mirror holds the pinned commit; the others are named on stderr and skipped. */
export function loadToxicitySources(path: string): SourcedExample[] {
  return readToxicitySources(path).flatMap((src) => {
    const git = mirrorOf(src.repo);
    if (!existsSync(git)) {
      console.warn(`train-toxicity: mirror of ${src.repo}@${src.commit} not found at ${git}; training without it`);
      return [];
    }
    const csv = execFileSync("git", ["--git-dir", git, "show", `${src.commit}:${src.path}`], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return rowsOf(src, csv).filter((r) => r.text !== "");
  });
}
