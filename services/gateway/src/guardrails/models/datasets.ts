/** Loaders for the shared labeled sets ($SHARED_DIR/data, or ../shared/data beside the repository). */
import { existsSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import type { Example } from "./train";

/** The labeled data is not where it is expected: the scripts print its one-line message and exit 2. */
export class DataMissingError extends Error {
  override readonly name = "DataMissingError";
}

export function dataDir(): string {
  const shared = process.env.SHARED_DIR ?? resolve(__dirname, "..", "..", "..", "..", "..", "..", "shared");
  const dir = resolve(shared, "data");
  if (!existsSync(dir)) {
    const how = process.env.SHARED_DIR === undefined ? "../shared/data beside the repository" : "$SHARED_DIR/data";
    throw new DataMissingError(`labeled data not found at ${dir} (expected ${how}; set SHARED_DIR to a folder that holds data/)`);
  }
  return dir;
}

/** Runs a script's main; a DataMissingError becomes one line on stderr and exit code 2, not a stack trace. */
export function runWithData(script: string, main: () => void): void {
  try {
    main();
  } catch (err) {
    if (!(err instanceof DataMissingError)) throw err;
    process.stderr.write(`${script}: ${err.message}\n`);
    process.exitCode = 2;
  }
}

export function readJsonl(path: string): Example[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const row = JSON.parse(l) as { text?: unknown; label?: unknown };
      if (typeof row.text !== "string" || (row.label !== 0 && row.label !== 1)) throw new Error(`${path}:${i + 1}: expected {"text": string, "label": 0|1}`);
      return { text: row.text, label: row.label };
    });
}

/** Minimal RFC 4180 reader: rows of fields (quoted fields with "" escapes and newlines), the header first. */
export function parseCsv(src: string): string[][] {
  const rows: string[][] = [];
  let field = "";
  let row: string[] = [];
  let quoted = false;
  for (let i = 0; i < src.length; i++) {
    const c = src[i];
    if (quoted) {
      if (c === '"' && src[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && src[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) rows.push([...row, field]);
  return rows;
}

/** CSV rows as records keyed by the header's column names (rows shorter than the header are dropped). */
export function csvRecords(src: string): Record<string, string>[] {
  const [header, ...body] = parseCsv(src);
  if (!header) return [];
  return body.filter((r) => r.length >= header.length).map((r) => Object.fromEntries(header.map((h, i) => [h, r[i] as string])));
}

/** `text,is_toxic` (surge-toxicity-en.csv). */
export function readToxicityCsv(path: string): Example[] {
  const [header, ...body] = parseCsv(readFileSync(path, "utf8"));
  const ti = header?.indexOf("text") ?? -1;
  const li = header?.indexOf("is_toxic") ?? -1;
  if (ti < 0 || li < 0) throw new Error(`${path}: expected a header with text and is_toxic`);
  return body.filter((r) => r.length > Math.max(ti, li)).map((r) => ({ text: r[ti] as string, label: /^(1|true|toxic)$/i.test((r[li] as string).trim()) ? 1 : 0 }));
}

/** A labelled row with the source it came from (toxicity/extra-train.jsonl's `source` field). */
export interface SourcedRow extends Example {
  readonly source: string;
}

/** JSON lines of {"text", "label": 0|1, "source"}; a bad line fails naming the file and line. */
export function readSourcedJsonl(path: string): SourcedRow[] {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "")
    .map((l, i) => {
      const r = JSON.parse(l) as { text?: unknown; label?: unknown; source?: unknown };
      if (typeof r.text !== "string" || (r.label !== 0 && r.label !== 1)) throw new Error(`${path}:${i + 1}: expected {"text": string, "label": 0|1, "source"}`);
      return { text: r.text, label: r.label, source: typeof r.source === "string" ? r.source : "unknown" };
    });
}

/** Tweet markup that marks the Davidson source, not toxicity (the gateway never sees it; decision 0047). */
export function stripTweetMarkup(text: string): string {
  return text
    .replace(/&#?\w{1,8};/g, " ")
    .replace(/\bRT\b:?/g, " ")
    .replace(/@\w{1,30}:?/g, " ")
    .replace(/https?:\/\/\S{1,200}/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}
