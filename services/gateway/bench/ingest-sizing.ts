/**
 * How many ingestion workers and TEI replicas a corpus needs in a time budget, from a measured per-worker rate and a
 * TEI throughput per replica (tokens/s). Pure arithmetic, shared by the benchmark's table and the README's figures.
 */
export interface SizingInput {
  readonly documents: number;
  readonly chunksPerDocument: number;
  readonly seconds: number;
  /** Chunks/s one worker sustains. */
  readonly perWorkerChunksPerSecond: number;
  /** TEI tokens/s one replica sustains. */
  readonly teiTokensPerSecond: number;
  /** TEI tokens per chunk. */
  readonly teiTokensPerChunk: number;
}

export interface Sizing {
  readonly chunksPerSecond: number;
  readonly workers: number;
  readonly teiReplicas: number;
}

export function ingestSizing(i: SizingInput): Sizing {
  for (const [k, v] of Object.entries(i)) if (!(Number.isFinite(v) && v > 0)) throw new RangeError(`${k} must be a positive number, got ${String(v)}`);
  const chunksPerSecond = (i.documents * i.chunksPerDocument) / i.seconds;
  return {
    chunksPerSecond,
    workers: Math.ceil(chunksPerSecond / i.perWorkerChunksPerSecond),
    teiReplicas: Math.ceil((chunksPerSecond * i.teiTokensPerChunk) / i.teiTokensPerSecond),
  };
}

/** TEI tokens/s per replica from the published figure (requests/s of a fixed number of tokens each). */
export function publishedTeiTokensPerSecond(f: { readonly requestsPerSecond: number; readonly tokensPerRequest: number }): number {
  return f.requestsPerSecond * f.tokensPerRequest;
}
