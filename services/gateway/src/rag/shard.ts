/**
 * Which shard of an ingestion job a document belongs to: a stable hash of its id, so every worker of a Kubernetes
 * Indexed Job (JOB_COMPLETION_INDEX of N) picks the same documents on every attempt, whatever order the files are
 * listed in and on whatever machine. See docs/decisions/0095-distributed-ingestion-job.md.
 */
import { createHash } from "node:crypto";

/** One worker's slice: shard `index` of `count` (0 <= index < count). */
export interface ShardSpec {
  readonly index: number;
  readonly count: number;
}

/** The whole input as one shard. */
export const WHOLE: ShardSpec = { index: 0, count: 1 };

/** Throws unless `index` and `count` describe a shard (integers, 1 <= count <= 100000, 0 <= index < count). */
export function checkShard(spec: ShardSpec): ShardSpec {
  if (!Number.isInteger(spec.count) || spec.count < 1 || spec.count > 100_000) throw new RangeError(`shard count ${spec.count} is invalid: expected an integer from 1 to 100000`);
  if (!Number.isInteger(spec.index) || spec.index < 0 || spec.index >= spec.count) throw new RangeError(`shard index ${spec.index} is invalid: expected an integer from 0 to ${spec.count - 1}`);
  return spec;
}

/** The shard of a key among `count`: the first 48 bits of its SHA-256, modulo count (bias below 2^-30 for count <= 100000). */
export function shardOf(key: string, count: number): number {
  if (count === 1) return 0;
  return createHash("sha256").update(key, "utf8").digest().readUIntBE(0, 6) % count;
}

/** True when the key belongs to the shard. */
export function inShard(key: string, spec: ShardSpec): boolean {
  return shardOf(key, spec.count) === spec.index;
}
