/**
 * The environment tools' command line:
 *   env clone --from staging --to perf-1 [--region R] [--account ID] [--set path=value ...] [--gpu-scale-to-zero] [--dir environments] [--dry-run]
 *   env diff staging prod [--dir environments]
 * Exit code 0 on success, 1 with a message on stderr otherwise (and then nothing was written).
 */
import { resolve } from "node:path";
import { Command, CommanderError } from "commander";
import { planClone, writeClone } from "./clone";
import { diffEnvironments, formatChanges, loadForDiff } from "./diff";
import { displayPath } from "./environment-folder";
import { EnvToolError } from "./errors";

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

interface CloneFlags {
  readonly from: string;
  readonly to: string;
  readonly region?: string;
  readonly account?: string;
  readonly set: string[];
  readonly gpuScaleToZero?: boolean;
  readonly dir: string;
  readonly dryRun?: boolean;
}

/** Builds the program; `out`/`err` receive what would go to stdout/stderr (tests pass their own). */
export function buildProgram(out: (s: string) => void, err: (s: string) => void): Command {
  const program = new Command("env")
    .description("Clone and compare environments (environments/*.yaml)")
    .exitOverride()
    .configureOutput({ writeOut: out, writeErr: err });

  program
    .command("clone")
    .description("write environments/<to>.yaml from an existing environment, validated like synthesis")
    .requiredOption("--from <env>", "source environment")
    .requiredOption("--to <env>", "new environment name (DNS-safe label)")
    .option("--region <region>", "AWS region of the new environment (the state backend's region is kept)")
    .option("--account <id>", "AWS account id of the new environment (admin role ARNs in the source's account follow)")
    .option("--set <path=value>", "typed override, e.g. nodeGroups.a100.max=2 or models[mistral-7b].replicas=1 (repeatable)", collect, [])
    .option("--gpu-scale-to-zero", "GPU node groups min/desired 0, model replicas and autoscaling minimums 0")
    .option("--dir <folder>", "environments folder", "environments")
    .option("--dry-run", "print the file instead of writing it")
    .action((flags: CloneFlags) => {
      const plan = planClone({
        dir: resolve(flags.dir),
        from: flags.from,
        to: flags.to,
        region: flags.region,
        account: flags.account,
        overrides: flags.set,
        gpuScaleToZero: flags.gpuScaleToZero,
      });
      if (flags.dryRun) {
        out(plan.text);
        return;
      }
      writeClone(plan);
      const lines = [
        `Wrote ${displayPath(plan.path)} (${flags.from} → ${flags.to}). Changes from ${flags.from}, after defaults:`,
        ...formatChanges(diffEnvironments(plan.source, plan.config)).map((l) => `  ${l}`),
        ...(plan.notes.length > 0 ? ["Review:", ...plan.notes.map((n) => `  - ${n}`)] : []),
        `Next: review (make env-diff A=${flags.from} B=${flags.to}), make synth, then npx cdktf diff/deploy ${flags.to}-cluster, ` +
          `then ${flags.to}-platform (docs: Clone an environment).`,
      ];
      out(lines.join("\n") + "\n");
    });

  program
    .command("diff")
    .description("print the typed differences between two environments (after defaults), by field path")
    .argument("<a>", "environment name (or path to a .yaml file)")
    .argument("<b>", "environment name (or path to a .yaml file)")
    .option("--dir <folder>", "environments folder", "environments")
    .action((a: string, b: string, flags: { dir: string }) => {
      const dir = resolve(flags.dir);
      const changes = diffEnvironments(loadForDiff(dir, a), loadForDiff(dir, b));
      const header = `${a} → ${b}: ${changes.length === 0 ? "no differences" : `${changes.length} difference${changes.length === 1 ? "" : "s"}`}`;
      out([header, ...formatChanges(changes)].join("\n") + "\n");
    });
  return program;
}

/** Runs the CLI; returns the exit code. */
export function run(argv: readonly string[], out: (s: string) => void, err: (s: string) => void): number {
  try {
    buildProgram(out, err).parse([...argv], { from: "user" });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (e instanceof EnvToolError || (e instanceof Error && e.name.endsWith("ConfigError"))) {
      err(`env: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
}

if (require.main === module) {
  process.exitCode = run(
    process.argv.slice(2),
    (s) => process.stdout.write(s),
    (s) => process.stderr.write(s),
  );
}
