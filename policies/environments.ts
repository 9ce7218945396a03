/** The environment configurations the rules consult (GPU ceiling, endpoint CIDRs), by environment name. */
import { existsSync } from "node:fs";
import { EnvironmentConfigError, loadEnvironments, type EnvironmentConfig } from "../stacks/environment-config";
import { PolicyInputError } from "./errors";

/**
 * Loads every environment file of a folder. A missing folder gives an empty map when `optional` (the rules that
 * need a configuration then say so); an invalid environment file is bad input.
 */
export function loadEnvironmentConfigs(dir: string, optional: boolean): Map<string, EnvironmentConfig> {
  if (!existsSync(dir)) {
    if (optional) return new Map();
    throw new PolicyInputError(`${dir}: expected a folder of environment files (--environments); it does not exist`);
  }
  try {
    return new Map(loadEnvironments(dir).map((e) => [e.name, e]));
  } catch (err) {
    if (err instanceof EnvironmentConfigError) throw new PolicyInputError(err.message);
    throw err;
  }
}
