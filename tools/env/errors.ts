/**
 * The one error type of the environment tools: a list of problems, each naming the file (or command-line
 * option) and the field path, so the CLI prints them the same way synthesis prints invalid environments.
 */

/** One problem: where it is (a file or a command-line option), the field path, and what was expected. */
export interface EnvToolProblem {
  /** The file, or the command-line option (e.g. `--set`), the problem is in. */
  readonly file: string;
  /** Field path in the environment, e.g. `nodeGroups.a100.desired`; "" for the whole file or option. */
  readonly path: string;
  /** What was expected. */
  readonly message: string;
}

/** Thrown by clone and diff when the request cannot be carried out; nothing has been written when it is thrown. */
export class EnvToolError extends Error {
  constructor(
    /** What went wrong, one line. */
    readonly summary: string,
    /** The problems behind it. */
    readonly problems: readonly EnvToolProblem[] = [],
  ) {
    super(
      summary +
        (problems.length > 0
          ? ":\n" + problems.map((p) => `  ${p.file}: ${p.path ? `${p.path}: ` : ""}${p.message}`).join("\n")
          : ""),
    );
    this.name = "EnvToolError";
  }
}
