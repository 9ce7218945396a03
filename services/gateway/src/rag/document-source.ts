/**
 * The documents of one shard, read lazily file by file so a worker holds only what it is ingesting: files are
 * listed first (sizes from stat, for the progress total), a Markdown/text/HTML file is read only when the hash of its
 * id (from its path) falls in the shard, and a JSON-lines file is read by every worker, each keeping its own lines.
 * Problems without a document id are reported by the shard of their origin, so exactly one worker reports each.
 */
import { relative, basename } from "node:path";
import { findFiles, idFromPath, loadFile, type LoadedDocument, type LoadError } from "./file-loader";
import { inShard, WHOLE, type ShardSpec } from "./shard";

export type SourceItem = { readonly kind: "document"; readonly document: LoadedDocument } | { readonly kind: "error"; readonly error: LoadError };

export interface ShardSource {
  /** Bytes of the files this shard reads (the progress bar's total). */
  readonly totalBytes: number;
  /** Files this shard reads. */
  readonly files: number;
  /** The documents and problems, in file order; `onBytes` is told as each file is done. */
  items(onBytes?: (bytes: number) => void): AsyncGenerator<SourceItem>;
}

export interface ShardSourceOptions {
  readonly groups: readonly string[];
  readonly shard?: ShardSpec;
  /** Largest document in bytes (a file, or a JSON line); larger ones are reported and skipped unread. */
  readonly maxBytes?: number;
  /** Document paths are relative to this. @default process.cwd() */
  readonly base?: string;
}

function mine(error: LoadError, shard: ShardSpec): boolean {
  return inShard(error.id ?? `origin:${error.origin}`, shard);
}

/** Lists the files under `paths` and returns the shard's source. */
export async function shardSource(paths: readonly string[], options: ShardSourceOptions): Promise<ShardSource> {
  const shard = options.shard ?? WHOLE;
  const base = options.base ?? process.cwd();
  const { files, errors } = await findFiles(paths);
  const selected = files.filter((f) => f.kind === "jsonl" || inShard(idFromPath(relative(base, f.path) || basename(f.path)), shard));
  const listErrors = errors.filter((e) => mine(e, shard));
  return {
    totalBytes: selected.reduce((s, f) => s + f.bytes, 0),
    files: selected.length,
    async *items(onBytes) {
      for (const error of listErrors) yield { kind: "error", error };
      for (const file of selected) {
        const loaded = await loadFile(file, { groups: options.groups, ...(options.maxBytes !== undefined ? { maxBytes: options.maxBytes } : {}) }, base);
        for (const error of loaded.errors) if (mine(error, shard)) yield { kind: "error", error };
        for (const document of loaded.documents) if (inShard(document.id, shard)) yield { kind: "document", document };
        onBytes?.(file.bytes);
      }
    },
  };
}
