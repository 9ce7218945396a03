/**
 * Turns files and folders into documents to ingest: Markdown (.md, .markdown), text (.txt), HTML (.html, .htm,
 * via html-to-text) and JSON lines (.jsonl, .ndjson: one document per line). Bytes must be valid UTF-8 (a fatal
 * TextDecoder); every problem is reported per file (and per line for JSON lines), never thrown.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, extname, join, relative } from "node:path";
import { convert } from "html-to-text";

export interface LoadedDocument {
  readonly id: string;
  readonly text: string;
  readonly metadata: { readonly groups: string[]; readonly title: string; readonly source: string; readonly tags?: string[]; readonly lang?: string };
  /** Where it came from, for messages: "path" or "path:line". */
  readonly origin: string;
}

export interface LoadError {
  readonly origin: string;
  readonly message: string;
}

export interface LoadOptions {
  /** Access groups given to documents that do not state their own (JSON lines may). */
  readonly groups: readonly string[];
}

const KINDS: Record<string, "markdown" | "text" | "html" | "jsonl"> = {
  ".md": "markdown",
  ".markdown": "markdown",
  ".txt": "text",
  ".html": "html",
  ".htm": "html",
  ".jsonl": "jsonl",
  ".ndjson": "jsonl",
};

const headingSelectors = ["h1", "h2", "h3", "h4", "h5", "h6"].map((selector) => ({ selector, options: { uppercase: false } }));

/** A document id from a relative path: allowed characters kept, others become "_". */
export function idFromPath(path: string): string {
  const id = path
    .replace(/\\/g, "/")
    .replace(/[^A-Za-z0-9_.:@+-]/g, (c) => (c === "/" ? ":" : "_"))
    .replace(/^[^A-Za-z0-9]+/, "");
  return id.slice(0, 256) || "document";
}

async function walk(path: string, out: string[], errors: LoadError[]): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    errors.push({ origin: path, message: "no such file or folder" });
    return;
  }
  if (info.isDirectory()) {
    const entries = (await readdir(path)).sort();
    for (const e of entries) if (!e.startsWith(".")) await walk(join(path, e), out, errors);
  } else if (KINDS[extname(path).toLowerCase()]) {
    out.push(path);
  } else {
    errors.push({ origin: path, message: `unsupported file type '${extname(path) || "(none)"}'; expected ${Object.keys(KINDS).join(", ")}` });
  }
}

function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return text.startsWith("\uFEFF") ? text.slice(1) : text;
  } catch {
    return undefined;
  }
}

function titleOf(kind: string, raw: string, file: string): string {
  if (kind === "markdown") {
    const m = /^#\s+(.+)$/m.exec(raw);
    if (m?.[1]) return m[1].trim();
  }
  if (kind === "html") {
    const m = /<title[^>]*>([^<]*)<\/title>/i.exec(raw);
    if (m?.[1]?.trim()) return m[1].trim();
  }
  return basename(file);
}

function parseJsonLine(line: string, origin: string, groups: readonly string[]): LoadedDocument | LoadError {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch (e) {
    return { origin, message: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { origin, message: "expected a JSON object with id and text" };
  const o = v as Record<string, unknown>;
  if (typeof o.id !== "string" || o.id === "") return { origin, message: "id: expected a non-empty string" };
  if (typeof o.text !== "string") return { origin, message: "text: expected a string" };
  const strList = (x: unknown): string[] | undefined => (Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : undefined);
  const ownGroups = o.groups === undefined ? [...groups] : strList(o.groups);
  if (!ownGroups) return { origin, message: "groups: expected a list of strings" };
  const tags = strList(o.tags);
  return {
    id: o.id,
    text: o.text,
    metadata: {
      groups: ownGroups,
      title: typeof o.title === "string" ? o.title : o.id,
      source: typeof o.source === "string" ? o.source : origin,
      ...(tags ? { tags } : {}),
      ...(typeof o.lang === "string" ? { lang: o.lang } : {}),
    },
    origin,
  };
}

/** Loads every supported file under the paths. Paths of documents are relative to `base` (default: cwd). */
export async function loadDocuments(paths: readonly string[], options: LoadOptions, base = process.cwd()): Promise<{ documents: LoadedDocument[]; errors: LoadError[] }> {
  const files: string[] = [];
  const errors: LoadError[] = [];
  for (const p of paths) await walk(p, files, errors);
  const documents: LoadedDocument[] = [];
  for (const file of files) {
    const rel = relative(base, file) || basename(file);
    const kind = KINDS[extname(file).toLowerCase()] as string;
    const text = decodeUtf8(await readFile(file));
    if (text === undefined) {
      errors.push({ origin: rel, message: "not valid UTF-8 text; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and retry" });
      continue;
    }
    if (kind === "jsonl") {
      text.split(/\r?\n/).forEach((line, i) => {
        if (line.trim() === "") return;
        const r = parseJsonLine(line, `${rel}:${i + 1}`, options.groups);
        if ("id" in r) documents.push(r);
        else errors.push(r);
      });
      continue;
    }
    const body = kind === "html" ? convert(text, { wordwrap: false, selectors: headingSelectors }) : text;
    documents.push({ id: idFromPath(rel), text: body, metadata: { groups: [...options.groups], title: titleOf(kind, text, file), source: rel }, origin: rel });
  }
  return { documents, errors };
}
