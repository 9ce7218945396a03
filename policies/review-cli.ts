/**
 * `npx tsx policies/review-cli.ts PLAN_DIR [--output review.md] [--fail-on error|warning|info]`: reads one
 * `terraform show -json` file per stack (<stack>.json), runs every rule, and prints (or writes) the Markdown
 * review. Exit 0: nothing fails at --fail-on; 1: something does; 2: bad input (malformed JSON, unsupported
 * format_version, missing fields, no plans), with a message naming the file and field. On bad input with
 * --output, the file gets an error report, so a CI comment never looks clean.
 */
import { writeFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { EXIT, parseSeverity, processIo, type Io } from "./cli-options";
import { evaluateStacks, failsAt } from "./engine";
import { loadEnvironmentConfigs } from "./environments";
import { PolicyInputError } from "./errors";
import { loadPlans } from "./load-plan";
import { DEFAULT_PRICES_FILE, loadPrices } from "./prices";
import { REPORT_MARKER, renderReview } from "./review";
import { RULES } from "./rules";
import type { Severity } from "./types";

interface ReviewCliOptions {
  readonly environments: string;
  readonly failOn: Severity;
  readonly show: Severity;
  readonly output?: string;
  readonly prices: string;
}

/** The review of a folder of plans; throws PolicyInputError on bad input. */
export function reviewPlans(planDir: string, options: ReviewCliOptions): { markdown: string; failed: boolean } {
  const stacks = loadPlans(planDir);
  const prices = loadPrices(options.prices);
  const configs = loadEnvironmentConfigs(options.environments, true);
  const findings = evaluateStacks(RULES, stacks, configs);
  const markdown = renderReview(stacks, findings, prices, { failOn: options.failOn, showLevel: options.show });
  return { markdown, failed: findings.some((f) => failsAt(f, options.failOn)) };
}

/** The error report written instead of a review when the input is bad. */
export function errorReport(message: string): string {
  return `${REPORT_MARKER}\n# Plan review\n\n**Result: ERROR**: the plans could not be reviewed, so nothing here says they are safe.\n\n\`\`\`\n${message}\n\`\`\`\n`;
}

/** CLI entry point; returns the exit code. */
export function main(argv: readonly string[], io: Io = processIo): number {
  let code: number = EXIT.ok;
  let output: string | undefined;
  const program = new Command()
    .name("review")
    .description("Markdown review of terraform plans (one `terraform show -json` file per stack)")
    .argument("<plan-dir>", "folder of <stack>.json plan files (or one file)")
    .option("--environments <dir>", "environment files (GPU ceiling, endpoint CIDRs)", "environments")
    .option("--fail-on <severity>", "lowest severity that fails the review: error, warning or info", parseSeverity, "error" as Severity)
    .option("--show <severity>", "lowest severity listed in the report", parseSeverity, "info" as Severity)
    .option("--prices <file>", "price table", DEFAULT_PRICES_FILE)
    .option("-o, --output <file>", "write the Markdown here instead of stdout")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .action((planDir: string, opts: ReviewCliOptions) => {
      output = opts.output;
      const { markdown, failed } = reviewPlans(planDir, opts);
      if (opts.output) writeFileSync(opts.output, markdown);
      else io.out(markdown);
      code = failed ? EXIT.findings : EXIT.ok;
    });
  try {
    program.parse([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof PolicyInputError) {
      io.err(`review: ${err.message}\n`);
      if (output) writeFileSync(output, errorReport(err.message));
      return EXIT.badInput;
    }
    throw err;
  }
  return code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
