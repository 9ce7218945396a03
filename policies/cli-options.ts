/** Options shared by the policy and review CLIs. */
import { InvalidArgumentError } from "commander";
import { SEVERITIES, type Severity } from "./types";

/** Parses --fail-on. */
export function parseSeverity(value: string): Severity {
  if ((SEVERITIES as readonly string[]).includes(value)) return value as Severity;
  throw new InvalidArgumentError(`expected one of ${SEVERITIES.join(", ")}`);
}

/** Where a CLI writes; tests pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t),
  err: (t) => process.stderr.write(t),
};

/** Exit codes of both CLIs. */
export const EXIT = { ok: 0, findings: 1, badInput: 2 } as const;
