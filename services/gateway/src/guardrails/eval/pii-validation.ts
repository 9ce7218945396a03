/**
 * PII validation sets: labeled public sources other than the development set (presidio-research
 * generated_large.json, on which the recognizers were developed), listed with commit, path and licence in
 * scripts/eval-data/pii-validation-sources.json and read from bare git mirrors at run time (nothing fetched is
 * committed). Only ever scored: the recognizers are not tuned on them.
 *
 * Two label formats are read:
 *  - "entity-list": a JSON array of `{text, NER: [{entity, label}]}`; each labeled string is located in the text
 *    (every occurrence), and a label whose string is not in the text is counted as unlocated, not guessed at;
 *  - "conll-io": CoNLL lines `token tag` (IO or BIO tags, e.g. `I-PER`), blank lines between sentences; each
 *    sentence becomes one record, its tokens joined by single spaces.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import type { PiiEntityType } from "../config";
import { mirrorOf } from "./benign-corpus";
import type { Span } from "./span-scores";

export interface PiiSource {
  /** What the set is called in the eval's tables. @default - the repository */
  readonly name?: string;
  readonly repo: string;
  readonly commit: string;
  readonly path: string;
  readonly license: string;
  readonly format: "entity-list" | "conll-io";
  /** The source's labels mapped to the gateway's entity types; labels not listed are not scored. */
  readonly labels: Readonly<Record<string, PiiEntityType>>;
  readonly role: "validation";
  readonly about?: string;
}

export interface PiiRecord {
  readonly text: string;
  readonly spans: readonly Span[];
}

export interface ParsedPiiSet {
  readonly records: readonly PiiRecord[];
  /** Labels of a mapped type whose string does not occur in the record's text (entity-list only). */
  readonly unlocated: number;
}

export function readPiiSources(path: string): PiiSource[] {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { sources?: unknown };
  if (!Array.isArray(parsed.sources)) throw new Error(`${path}: expected {"sources": [...]}`);
  return parsed.sources as PiiSource[];
}

/** Every non-overlapping occurrence of `needle` in `text`. */
function occurrences(text: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}

export function parseEntityList(json: string, labels: Readonly<Record<string, PiiEntityType>>): ParsedPiiSet {
  const rows = JSON.parse(json) as unknown;
  if (!Array.isArray(rows)) throw new Error("entity-list: expected a JSON array");
  let unlocated = 0;
  const records: PiiRecord[] = [];
  for (const row of rows as Array<{ text?: unknown; NER?: unknown }>) {
    if (typeof row?.text !== "string") continue;
    const text = row.text;
    const spans = new Map<string, Span>();
    for (const n of Array.isArray(row.NER) ? (row.NER as Array<{ entity?: unknown; label?: unknown }>) : []) {
      const type = typeof n?.label === "string" ? labels[n.label] : undefined;
      if (!type || typeof n.entity !== "string" || n.entity.length === 0) continue;
      const at = occurrences(text, n.entity);
      if (at.length === 0) unlocated++;
      // The same string listed twice is one span per occurrence, not two.
      for (const start of at) spans.set(`${type}:${start}`, { type, start, end: start + n.entity.length });
    }
    records.push({ text, spans: [...spans.values()] });
  }
  return { records, unlocated };
}

export function parseConllIo(conll: string, labels: Readonly<Record<string, PiiEntityType>>): ParsedPiiSet {
  const records: PiiRecord[] = [];
  let tokens: string[] = [];
  let spans: Span[] = [];
  let length = 0;
  let open: { type: PiiEntityType; label: string; start: number } | undefined;
  const close = (end: number): void => {
    if (open) spans.push({ type: open.type, start: open.start, end });
    open = undefined;
  };
  const flush = (): void => {
    close(length);
    if (tokens.length > 0) records.push({ text: tokens.join(" "), spans });
    tokens = [];
    spans = [];
    length = 0;
  };
  for (const line of conll.split(/\r?\n/)) {
    const fields = line.trim().split(/\s+/);
    if (line.trim() === "") {
      flush();
      continue;
    }
    const token = fields[0] as string;
    const tag = fields[fields.length - 1] as string;
    if (token === "-DOCSTART-") continue;
    const start = tokens.length === 0 ? 0 : length + 1;
    const m = /^([BI])-(.+)$/.exec(tag);
    const label = m?.[2];
    const type = label !== undefined ? labels[label] : undefined;
    // A span ends at the previous token's end when this token is outside it, of another label, or begins anew.
    if (open && (label !== open.label || m?.[1] === "B")) close(length);
    if (type && label !== undefined && !open) open = { type, label, start };
    tokens.push(token);
    length = start + token.length;
  }
  flush();
  return { records, unlocated: 0 };
}

/** A source's records from its bare mirror; undefined when the mirror or the pinned commit is absent. */
export function loadPiiSource(src: PiiSource): ParsedPiiSet | undefined {
  const git = mirrorOf(src.repo);
  if (!existsSync(git)) return undefined;
  let text: string;
  try {
    text = execFileSync("git", ["--git-dir", git, "show", `${src.commit}:${src.path}`], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "ignore"] });
  } catch {
    return undefined;
  }
  return src.format === "entity-list" ? parseEntityList(text, src.labels) : parseConllIo(text, src.labels);
}
