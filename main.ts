/**
 * The cdktf app: reads every environment file, validates them all (nothing is synthesized when any is invalid),
 * then creates the cluster and platform stacks of each environment and synthesizes them into cdktf.out/.
 *
 * ENVIRONMENTS_DIR points at another folder of environment files (benchmarks, tests).
 */
import { resolve } from "node:path";
import { App } from "cdktf";
import { EnvironmentConfigError, loadEnvironments } from "./stacks/environment-config";
import { addEnvironmentStacks } from "./stacks/environment-stacks";

function main(): void {
  const dir = resolve(process.env.ENVIRONMENTS_DIR ?? "environments");
  const environments = loadEnvironments(dir);
  const app = new App({ skipValidation: false });
  for (const env of environments) addEnvironmentStacks(app, env);
  app.synth();
}

try {
  main();
} catch (err) {
  if (err instanceof EnvironmentConfigError || (err instanceof Error && err.name.endsWith("ConfigError"))) {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  }
  throw err;
}
