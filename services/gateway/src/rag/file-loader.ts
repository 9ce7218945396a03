/**
 * Turns files and folders into documents to ingest: Markdown (.md, .markdown), text (.txt), HTML (.html, .htm,
 * via html-to-text) and JSON lines (.jsonl, .ndjson: one document per line). Bytes must be valid UTF-8 (a fatal
 * TextDecoder); every problem (unreadable, oversized, not UTF-8, a bad JSON line) is reported per file (and per line for
 * JSON lines) with the document's id when it is known, never thrown.
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
  /** The document's id when it is known (a file's id comes from its path; a JSON line's from its "id"). */
  readonly id?: string;
  /** What went wrong: unreadable, invalid_encoding, document_too_large, invalid_document, unsupported_type, not_found. */
  readonly code?: string;
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

/** A file found under the paths: its path, its size in bytes and the kind of document it holds. */
export interface FoundFile {
  readonly path: string;
  readonly bytes: number;
  readonly kind: "markdown" | "text" | "html" | "jsonl";
}

async function walk(path: string, out: FoundFile[], errors: LoadError[]): Promise<void> {
  let info;
  try {
    info = await stat(path);
  } catch {
    errors.push({ origin: path, code: "not_found", message: "no such file or folder" });
    return;
  }
  if (info.isDirectory()) {
    let entries: string[];
    try {
      entries = (await readdir(path)).sort();
    } catch (e) {
      errors.push({ origin: path, code: "unreadable", message: `folder cannot be read: ${readFailure(e)}` });
      return;
    }
    for (const e of entries) if (!e.startsWith(".")) await walk(join(path, e), out, errors);
    return;
  }
  const kind = KINDS[extname(path).toLowerCase()];
  if (kind) out.push({ path, bytes: info.size, kind });
  else errors.push({ origin: path, code: "unsupported_type", message: `unsupported file type '${extname(path) || "(none)"}'; expected ${Object.keys(KINDS).join(", ")}` });
}

/** Every supported file under the paths (folders walked in name order, dot-files skipped); problems are reported, not thrown. */
export async function findFiles(paths: readonly string[]): Promise<{ files: FoundFile[]; errors: LoadError[] }> {
  const files: FoundFile[] = [];
  const errors: LoadError[] = [];
  for (const p of paths) await walk(p, files, errors);
  return { files, errors };
}

function readFailure(e: unknown): string {
  const code = typeof e === "object" && e !== null && "code" in e ? String((e as { code: unknown }).code) : "";
  if (code === "EACCES" || code === "EPERM") return "permission denied";
  if (code === "ENOENT") return "no such file (removed while ingesting?)";
  if (code === "EISDIR") return "is a folder";
  return e instanceof Error ? e.message : String(e);
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
    return { origin, ...jsonLineId(line), code: "invalid_document", message: `not valid JSON: ${(e as Error).message}` };
  }
  if (typeof v !== "object" || v === null || Array.isArray(v)) return { origin, code: "invalid_document", message: "expected a JSON object with id and text" };
  const o = v as Record<string, unknown>;
  if (typeof o.id !== "string" || o.id === "") return { origin, code: "invalid_document", message: "id: expected a non-empty string" };
  if (typeof o.text !== "string") return { origin, id: o.id, code: "invalid_document", message: "text: expected a string" };
  const strList = (x: unknown): string[] | undefined => (Array.isArray(x) && x.every((s) => typeof s === "string") ? (x as string[]) : undefined);
  const ownGroups = o.groups === undefined ? [...groups] : strList(o.groups);
  if (!ownGroups) return { origin, id: o.id, code: "invalid_document", message: "groups: expected a list of strings" };
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

/**
 * The documents of one file, or why it has none. A file over `maxBytes` is refused without being read (a JSON-lines
 * file is a container of documents: its limit applies per line). Never throws.
 */
export async function loadFile(file: FoundFile, options: LoadOptions & { readonly maxBytes?: number }, base = process.cwd()): Promise<{ documents: LoadedDocument[]; errors: LoadError[] }> {
  const rel = relative(base, file.path) || basename(file.path);
  const maxBytes = options.maxBytes ?? Number.POSITIVE_INFINITY;
  if (file.kind !== "jsonl" && file.bytes > maxBytes) {
    return { documents: [], errors: [{ origin: rel, id: idFromPath(rel), code: "document_too_large", message: `file has ${file.bytes} bytes; the limit is ${maxBytes}` }] };
  }
  let bytes: Buffer;
  try {
    bytes = await readFile(file.path);
  } catch (e) {
    return { documents: [], errors: [{ origin: rel, ...(file.kind === "jsonl" ? {} : { id: idFromPath(rel) }), code: "unreadable", message: `cannot be read: ${readFailure(e)}` }] };
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) {
    return { documents: [], errors: [{ origin: rel, ...(file.kind === "jsonl" ? {} : { id: idFromPath(rel) }), code: "invalid_encoding", message: "not valid UTF-8 text; convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8) and retry" }] };
  }
  const documents: LoadedDocument[] = [];
  const errors: LoadError[] = [];
  if (file.kind === "jsonl") {
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      const origin = `${rel}:${i + 1}`;
      if (Buffer.byteLength(line, "utf8") > maxBytes) {
        errors.push({ origin, ...jsonLineId(line), code: "document_too_large", message: `line has ${Buffer.byteLength(line, "utf8")} bytes; the limit is ${maxBytes}` });
        return;
      }
      const r = parseJsonLine(line, origin, options.groups);
      if ("text" in r) documents.push(r);
      else errors.push(r);
    });
    return { documents, errors };
  }
  const body = file.kind === "html" ? convert(text, { wordwrap: false, selectors: headingSelectors }) : text;
  documents.push({ id: idFromPath(rel), text: body, metadata: { groups: [...options.groups], title: titleOf(file.kind, text, file.path), source: rel }, origin: rel });
  return { documents, errors };
}

/** The id of an oversized JSON line, when it can be seen without parsing the line ("id" among its first bytes). */
function jsonLineId(line: string): { id?: string } {
  const m = /^\s*\{\s*"id"\s*:\s*"([A-Za-z0-9][A-Za-z0-9_.:@+-]{0,255})"/.exec(line.slice(0, 400));
  return m?.[1] ? { id: m[1] } : {};
}
