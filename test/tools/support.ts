/**
 * Shared fixtures of the environment-tool tests: a temporary environments folder seeded with copies of the
 * shipped environments (and fleet settings), snapshots of a folder's files, and in-process synthesis.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { App } from "cdktf";
import { loadEnvironments } from "../../stacks/environment-config";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";

/** The repository root. */
export const REPO = resolve(__dirname, "../..");
/** The shipped environments folder. */
export const SHIPPED = join(REPO, "environments");

const made: string[] = [];

/** A temporary folder with copies of every shipped environment file and _fleet.yaml (or the given fleet text). */
export function seedFolder(options: { fleet?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "env-tools-"));
  made.push(dir);
  for (const f of readdirSync(SHIPPED)) if (/\.ya?ml$/.test(f)) copyFileSync(join(SHIPPED, f), join(dir, f));
  if (options.fleet !== undefined) writeFileSync(join(dir, "_fleet.yaml"), options.fleet);
  return dir;
}

/** Removes every folder seedFolder made (call from afterAll). */
export function cleanFolders(): void {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
}

/** Every file in a folder with its contents, to assert that nothing was written. */
export function snapshotFolder(dir: string): Record<string, string> {
  return Object.fromEntries(readdirSync(dir).sort().map((f) => [f, readFileSync(join(dir, f), "utf8")]));
}

/** A synthesized stack's Terraform JSON, with the parts the tests read. */
export interface StackJson {
  readonly terraform: { readonly backend: { readonly s3: { readonly key: string; readonly bucket: string } } };
  readonly resource: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * Synthesizes the named environments of a folder the way main.ts does (loadEnvironments + addEnvironmentStacks)
 * into a temporary outdir; returns every stack's JSON by stack id.
 */
export function synthesize(dir: string, names: readonly string[]): Map<string, StackJson> {
  const outdir = mkdtempSync(join(tmpdir(), "env-tools-out-"));
  made.push(outdir);
  const app = new App({ outdir });
  const envs = loadEnvironments(dir, { only: names.map((n) => join(dir, `${n}.yaml`)) });
  for (const env of envs) addEnvironmentStacks(app, env);
  app.synth();
  const stacks = new Map<string, StackJson>();
  for (const id of readdirSync(join(outdir, "stacks"))) {
    stacks.set(id, JSON.parse(readFileSync(join(outdir, "stacks", id, "cdk.tf.json"), "utf8")) as StackJson);
  }
  return stacks;
}

/**
 * Names that must be unique within an AWS account (and region): the attribute that names each such resource type.
 * Names scoped to a parent (a role's inline policy, a node group inside its cluster) are not listed.
 */
export const ACCOUNT_SCOPED_NAMES: Readonly<Record<string, readonly string[]>> = {
  aws_eks_cluster: ["name"],
  aws_iam_role: ["name", "name_prefix"],
  aws_iam_policy: ["name", "name_prefix"],
  aws_iam_instance_profile: ["name"],
  aws_kms_alias: ["name"],
  aws_cloudwatch_log_group: ["name"],
  aws_s3_bucket: ["bucket", "bucket_prefix"],
  aws_secretsmanager_secret: ["name", "name_prefix"],
  aws_elasticache_replication_group: ["replication_group_id"],
  aws_elasticache_subnet_group: ["name"],
  aws_elasticache_parameter_group: ["name"],
  aws_launch_template: ["name", "name_prefix"],
  aws_security_group: ["name", "name_prefix"],
  aws_vpc: ["tags.Name"],
};

/** Every account-scoped name in the given stacks, as literal strings (references like ${...} are skipped). */
export function accountScopedNames(stacks: Iterable<StackJson>): string[] {
  const names: string[] = [];
  for (const stack of stacks) {
    for (const [type, instances] of Object.entries(stack.resource ?? {})) {
      const attrs = ACCOUNT_SCOPED_NAMES[type];
      if (!attrs) continue;
      for (const resource of Object.values(instances)) {
        for (const attr of attrs) {
          const value = attr.split(".").reduce<unknown>((v, k) => (v !== null && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), resource);
          if (typeof value === "string" && !value.includes("${")) names.push(`${type}:${value}`);
        }
      }
    }
  }
  return names;
}

/** The stacks of one environment (ids starting with `<env>-`). */
export function stacksOf(all: Map<string, StackJson>, env: string): Map<string, StackJson> {
  return new Map([...all].filter(([id]) => new RegExp(`^${env}-(cluster|platform)$`).test(id)));
}
