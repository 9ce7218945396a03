/**
 * `npx tsx policies/cli.ts check --synth cdktf.out`: runs every rule over every synthesized stack and prints the
 * failing findings and a summary line "N passed, N failed". Exit 0 when nothing fails at the --fail-on level,
 * 1 when something does, 2 for bad input (no synthesized stacks, malformed JSON, invalid environment files).
 */
import { Command, CommanderError } from "commander";
import { evaluateStacks, failsAt, tally } from "./engine";
import { loadEnvironmentConfigs } from "./environments";
import { PolicyInputError } from "./errors";
import { loadSynthDir } from "./load-synth";
import { RULES } from "./rules";
import { EXIT, parseSeverity, processIo, type Io } from "./cli-options";
import type { Finding, Severity } from "./types";

interface CheckOptions {
  readonly synth: string;
  readonly environments: string;
  readonly failOn: Severity;
  readonly verbose: boolean;
}

function formatFinding(f: Finding): string {
  return `  ${f.severity.toUpperCase().padEnd(7)} ${f.ruleId} ${f.address}: ${f.message}\n          -> ${f.recommendedAction}\n`;
}

/** Runs the check command; returns the exit code. */
export function runCheck(options: CheckOptions, io: Io): number {
  const stacks = loadSynthDir(options.synth);
  const configs = loadEnvironmentConfigs(options.environments, false);
  const findings = evaluateStacks(RULES, stacks, configs);
  for (const stack of stacks) {
    const own = findings.filter((f) => f.stack === stack.stack);
    const t = tally(own, options.failOn);
    io.out(`${stack.stack}: ${t.passed} passed, ${t.failed} failed, ${t.belowThreshold} below ${options.failOn}, ${t.notApplicable} not applicable\n`);
    for (const f of own) {
      if (f.status === "non-compliant") io.out(formatFinding(f));
      else if (options.verbose) io.out(`  ${f.status.padEnd(14)} ${f.ruleId} ${f.address}: ${f.message}\n`);
    }
  }
  const t = tally(findings, options.failOn);
  io.out(`policy: ${RULES.length} rules over ${stacks.length} stacks (fail on ${options.failOn}); ${t.belowThreshold} findings below that level, ${t.notApplicable} not applicable\n`);
  io.out(`${t.passed} passed, ${t.failed} failed\n`);
  return findings.some((f) => failsAt(f, options.failOn)) ? EXIT.findings : EXIT.ok;
}

/** The CLI entry point; returns the exit code instead of exiting, for tests. */
export function main(argv: readonly string[], io: Io = processIo): number {
  const program = new Command()
    .name("policy")
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) });
  let code: number = EXIT.ok;
  program
    .command("check")
    .description("check synthesized cdktf stacks against every policy rule")
    .requiredOption("--synth <dir>", "cdktf output folder (cdktf.out) or one stack folder")
    .option("--environments <dir>", "environment files, for rules that read the configuration", "environments")
    .option("--fail-on <severity>", "lowest severity that fails the check: error, warning or info", parseSeverity, "error" as Severity)
    .option("--verbose", "also list compliant and not-applicable results", false)
    .action((opts: CheckOptions) => {
      code = runCheck(opts, io);
    });
  try {
    program.parse([...argv], { from: "user" });
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.badInput;
    if (err instanceof PolicyInputError) {
      io.err(`policy: ${err.message}\n`);
      return EXIT.badInput;
    }
    throw err;
  }
  return code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
