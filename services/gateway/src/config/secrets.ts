/**
 * Secrets by reference: the config names an environment variable or a file, never the value. Errors name the
 * reference, never the content.
 */
import { readFileSync } from "node:fs";

export class SecretError extends Error {
  override name = "SecretError";
}

/** Reads a secret from an environment variable or a file; undefined when neither is configured. */
export function readSecret(ref: { env?: string; file?: string }, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (ref.env !== undefined) {
    const v = env[ref.env];
    if (v === undefined || v === "") throw new SecretError(`environment variable ${ref.env} is not set`);
    return v;
  }
  if (ref.file !== undefined) {
    try {
      return readFileSync(ref.file, "utf8").trim();
    } catch (e) {
      throw new SecretError(`cannot read secret file ${ref.file}: ${(e as NodeJS.ErrnoException).code ?? "error"}`);
    }
  }
  return undefined;
}
