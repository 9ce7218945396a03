/**
 * An environments folder as the tools see it: every environment file parsed and validated with the same functions
 * synthesis uses (stacks/environment-config.ts), plus the VPC CIDRs written in files that do not validate, so an
 * allocation never hands out a range a half-edited file already claims.
 */
import { existsSync, readFileSync } from "node:fs";
import { basename, join, relative } from "node:path";
import {
  DNS_LABEL,
  environmentFiles,
  parseEnvironmentYaml,
  validateEnvironment,
  type ConfigProblem,
  type EnvironmentConfig,
} from "../../stacks/environment-config";
import { EnvToolError } from "./errors";

/** One environment file of the folder. */
export interface EnvironmentEntry {
  /** Environment name (the file name without extension). */
  readonly name: string;
  /** Path as shown in messages (relative to the working directory). */
  readonly file: string;
  /** Absolute or given path. */
  readonly path: string;
  /** The validated config, when the file is valid. */
  readonly config?: EnvironmentConfig;
  /** network.vpcCidr as written, when there is one. */
  readonly vpcCidr?: string;
  /** Why the file is invalid, when it is. */
  readonly problems: readonly ConfigProblem[];
}

/** Shows a path relative to the working directory, as synthesis does. */
export function displayPath(path: string): string {
  return relative(process.cwd(), path) || path;
}

/** Reads and validates one environment file. */
export function readEnvironmentFile(path: string): EnvironmentEntry {
  const file = displayPath(path);
  const name = basename(path).replace(/\.ya?ml$/, "");
  if (!existsSync(path)) return { name, file, path, problems: [{ file, path: "", message: "environment file not found" }] };
  const parsed = parseEnvironmentYaml(readFileSync(path, "utf8"), file);
  if (!parsed.ok) return { name, file, path, problems: parsed.problems };
  const raw = parsed.value as { network?: { vpcCidr?: unknown } } | null;
  const vpcCidr = typeof raw?.network?.vpcCidr === "string" ? raw.network.vpcCidr : undefined;
  const result = validateEnvironment(parsed.value, file);
  return result.ok ? { name, file, path, config: result.config, vpcCidr, problems: [] } : { name, file, path, vpcCidr, problems: result.problems };
}

/** Every environment file of the folder; throws EnvToolError when the folder does not exist. */
export function readEnvironmentFolder(dir: string): EnvironmentEntry[] {
  if (!existsSync(dir)) throw new EnvToolError(`No environments folder at ${displayPath(dir)}`);
  return environmentFiles(dir).map(readEnvironmentFile);
}

/** The path an environment of this name has (or would have) in the folder: <dir>/<name>.yaml or .yml if that exists. */
export function environmentPath(dir: string, name: string): string {
  const yml = join(dir, `${name}.yml`);
  return existsSync(yml) ? yml : join(dir, `${name}.yaml`);
}

/** Checks an environment name given on the command line; throws EnvToolError naming the option. */
export function checkEnvironmentName(name: string, option: string): void {
  if (!DNS_LABEL.test(name)) {
    throw new EnvToolError(`Invalid environment name`, [
      {
        file: option,
        path: "",
        message: `expected a DNS-safe label (lowercase letters, digits and '-', starting with a letter, not ending with '-', at most 20 characters), got "${name}"`,
      },
    ]);
  }
}
