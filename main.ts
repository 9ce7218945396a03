/**
 * The cdktf app: reads every environment file, validates them all (nothing is synthesized when any is invalid),
 * then creates the cluster and platform stacks of each environment and synthesizes them into cdktf.out/.
 *
 * Environment variables:
 * - ENVIRONMENTS_DIR: another folder of environment files (benchmarks, tests). Default: environments/.
 * - ENVIRONMENTS: comma-separated environment names to synthesize (e.g. "dev,staging"); the others are still
 *   read for the rules across environments (unique names, non-overlapping VPC CIDRs). Default: all.
 * - CDKTF_OUTDIR: where to write (set by the cdktf CLI). Default: cdktf.out/.
 */
import { existsSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { EnvironmentConfigError, loadEnvironments } from "./stacks/environment-config";

/** What to synthesize, and where. */
export interface SynthesisOptions {
  /** Folder of environment files. */
  readonly environmentsDir: string;
  /** Names of the environments to synthesize. @default - every environment in the folder */
  readonly environments?: readonly string[];
  /** Output folder. @default - $CDKTF_OUTDIR, else cdktf.out in cwd */
  readonly outdir?: string;
  /** Directory file names in messages are relative to, and the default output folder's parent. @default process.cwd() */
  readonly cwd?: string;
}

/** A construct rejected what an environment asked for. */
export class StackConfigError extends Error {
  override readonly name = "StackConfigError";
}

/**
 * Validates every environment, then builds and synthesizes the selected ones. Throws EnvironmentConfigError or
 * StackConfigError before anything is written. Returns the names synthesized and the output folder.
 */
export function synthesize(options: SynthesisOptions): { environments: string[]; outdir: string } {
  const cwd = options.cwd ?? process.cwd();
  const dir = resolve(cwd, options.environmentsDir);
  const only = options.environments && options.environments.length > 0 ? options.environments.map((n) => join(dir, `${n}.yaml`)) : undefined;
  const environments = loadEnvironments(dir, { only, cwd });
  // Loaded only once every file is valid: a bad file fails fast, before the providers' classes load.
  const { addEnvironmentStacks } = require("./stacks/environment-stacks") as typeof import("./stacks/environment-stacks");
  const outdir = options.outdir ?? process.env.CDKTF_OUTDIR ?? join(cwd, "cdktf.out");
  // The App creates its output folder when constructed; if a construct then refuses its props, remove the
  // folder again (when this run created it), so a refused environment leaves nothing behind.
  const existed = existsSync(outdir);
  const app = new App({ outdir, skipValidation: false });
  for (const env of environments) {
    try {
      addEnvironmentStacks(app, env);
    } catch (err) {
      if (!existed) rmSync(outdir, { recursive: true, force: true });
      if (err instanceof Error) throw new StackConfigError(`Invalid environment ${env.name} (nothing was synthesized): ${err.message}`);
      throw err;
    }
  }
  app.synth();
  return { environments: environments.map((e) => e.name), outdir };
}

function names(list: string | undefined): string[] {
  return (list ?? "")
    .split(",")
    .map((n) => n.trim())
    .filter((n) => n.length > 0);
}

/** `node dist/main.js`: exit 0 when synthesized, 1 with the problems on stderr when the configuration is invalid. */
export function runCli(): number {
  try {
    synthesize({ environmentsDir: process.env.ENVIRONMENTS_DIR ?? "environments", environments: names(process.env.ENVIRONMENTS) });
    return 0;
  } catch (err) {
    if (err instanceof EnvironmentConfigError || err instanceof StackConfigError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  }
}

if (require.main === module) process.exitCode = runCli();
