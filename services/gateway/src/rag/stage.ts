/**
 * Stages a corpus for the ingestion Job's S3 mode: copies every file into `<out>/shard-<k>/<path relative to base>`,
 * k the shard of its document id, and splits JSON-lines files line by line the same way, so that the Job's pod k
 * syncs only `s3://bucket/prefix/shard-<k>/` and, reading it with the same base, computes the same ids and the same
 * shard. Lines that are not JSON objects with a string id cannot be placed and are reported here instead.
 */
import { appendFile, copyFile, mkdir, readFile } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";
import { findFiles, idFromPath, type LoadError } from "./file-loader";
import { shardOf } from "./shard";

export interface StageReport {
  readonly files: number;
  readonly lines: number;
  readonly perShard: readonly number[];
  readonly errors: readonly LoadError[];
}

/** The folder of shard k under the staging root (what the Job's initContainer syncs). */
export function shardFolder(out: string, k: number): string {
  return join(out, `shard-${k}`);
}

export async function stageShards(paths: readonly string[], options: { readonly base: string; readonly shards: number; readonly out: string }): Promise<StageReport> {
  const { files, errors } = await findFiles(paths);
  const problems: LoadError[] = [...errors];
  const perShard = new Array<number>(options.shards).fill(0);
  let copied = 0;
  let lines = 0;
  for (const file of files) {
    const rel = relative(options.base, file.path) || basename(file.path);
    if (rel.startsWith("..")) {
      problems.push({ origin: file.path, code: "invalid_document", message: `is outside the base folder ${options.base}; ids are paths relative to it` });
      continue;
    }
    if (file.kind !== "jsonl") {
      const k = shardOf(idFromPath(rel), options.shards);
      const to = join(shardFolder(options.out, k), rel);
      await mkdir(dirname(to), { recursive: true });
      await copyFile(file.path, to);
      perShard[k] = (perShard[k] ?? 0) + 1;
      copied++;
      continue;
    }
    let text: string;
    try {
      text = (await readFile(file.path)).toString("utf8");
    } catch (e) {
      problems.push({ origin: rel, code: "unreadable", message: `cannot be read: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    const byShard = new Map<number, string[]>();
    text.split(/\r?\n/).forEach((line, i) => {
      if (line.trim() === "") return;
      let id: unknown;
      try {
        const v = JSON.parse(line) as unknown;
        id = typeof v === "object" && v !== null && !Array.isArray(v) ? (v as { id?: unknown }).id : undefined;
      } catch (e) {
        problems.push({ origin: `${rel}:${i + 1}`, code: "invalid_document", message: `not valid JSON: ${(e as Error).message}` });
        return;
      }
      if (typeof id !== "string" || id === "") {
        problems.push({ origin: `${rel}:${i + 1}`, code: "invalid_document", message: "id: expected a non-empty string" });
        return;
      }
      const k = shardOf(id, options.shards);
      byShard.set(k, [...(byShard.get(k) ?? []), line]);
      perShard[k] = (perShard[k] ?? 0) + 1;
      lines++;
    });
    for (const [k, kept] of byShard) {
      const to = join(shardFolder(options.out, k), rel);
      await mkdir(dirname(to), { recursive: true });
      await appendFile(to, `${kept.join("\n")}\n`);
    }
  }
  return { files: copied, lines, perShard, errors: problems };
}
