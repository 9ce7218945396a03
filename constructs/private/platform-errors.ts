/**
 * The one error type the platform layer throws for bad input. Its name ends in "ConfigError", so main.ts prints
 * the message alone and exits 1 (no stack trace), before anything is written to cdktf.out.
 */

/** Where a problem is: the environment, the subject (a model or a Helm release) and the field path. */
export interface PlatformProblemLocation {
  /** Environment name, e.g. "prod". */
  readonly environment: string;
  /** What the problem belongs to, e.g. `model "llama-3-70b"` or `release "qdrant" (chart qdrant)`. */
  readonly subject: string;
  /** Field path, e.g. `models[0].tensorParallelSize` or `values.resources.limits.memory`. */
  readonly path: string;
}

/** Bad platform input, with its location. Messages never carry secret values. */
export class PlatformConfigError extends Error {
  override readonly name = "PlatformConfigError";
  constructor(
    readonly location: PlatformProblemLocation,
    readonly detail: string,
  ) {
    super(`environment "${location.environment}", ${location.subject}, ${location.path}: ${detail}`);
  }
}
