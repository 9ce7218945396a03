/**
 * Shared fixtures of the infrastructure tests: the shipped environments, synthesized cluster stacks (memoized
 * per test file: a stack takes a few hundred ms to synthesize), typed access to synthesized JSON, temporary
 * environment folders, and running the real cdktf app (main.ts) in a temporary working directory.
 */
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Testing } from "cdktf";
// Brings cdktf's jest matcher types (toHaveResourceWithProperties, ...) into every test that uses these fixtures.
import type {} from "cdktf/lib/testing/adapters/jest";
import { parse, stringify } from "yaml";
import { ClusterStack } from "../../stacks/cluster-stack";
import { loadEnvironments, type EnvironmentConfig, type EnvironmentInput } from "../../stacks/environment-config";

/** Repository root. */
export const REPO = resolve(__dirname, "../..");
/** The shipped environments folder. */
export const ENVIRONMENTS_DIR = join(REPO, "environments");
/** The shipped environments, validated. */
export const SHIPPED: readonly EnvironmentConfig[] = loadEnvironments(ENVIRONMENTS_DIR, { cwd: REPO });
/** Names of the shipped environments, for test.each. */
export const SHIPPED_NAMES: readonly string[] = SHIPPED.map((e) => e.name);

/** The shipped environment of that name. */
export function shipped(name: string): EnvironmentConfig {
  const env = SHIPPED.find((e) => e.name === name);
  if (!env) throw new Error(`no shipped environment ${name}`);
  return env;
}

/** A resource body in synthesized Terraform JSON. */
export type TfBody = Record<string, unknown>;
/** Synthesized Terraform JSON of one stack. */
export interface TfStack {
  readonly terraform: { readonly backend?: { readonly s3?: TfBody } } & TfBody;
  readonly provider?: Record<string, TfBody[]>;
  readonly resource: Record<string, Record<string, TfBody>>;
  readonly data?: Record<string, Record<string, TfBody>>;
  readonly output?: Record<string, { value: unknown; description?: string; sensitive?: boolean }>;
}

/** Parses the JSON string Testing.synth / synthScope returns. */
export function parseStack(json: string): TfStack {
  return JSON.parse(json) as TfStack;
}

/** The bodies of every resource of a type, e.g. resourcesOf(stack, "aws_eks_node_group"). */
export function resourcesOf(stack: TfStack, type: string): TfBody[] {
  return Object.values(stack.resource[type] ?? {});
}

/** The single resource of a type; fails when there is not exactly one. */
export function onlyResource(stack: TfStack, type: string): TfBody {
  const all = resourcesOf(stack, type);
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0]!;
}

interface SynthesizedCluster {
  readonly stack: ClusterStack;
  readonly json: string;
  readonly tf: TfStack;
}
const synthesized = new Map<string, SynthesizedCluster>();

/** Builds and synthesizes `<env>-cluster` once per environment (per test file). */
export function synthCluster(env: EnvironmentConfig): SynthesizedCluster {
  const key = JSON.stringify(env);
  let hit = synthesized.get(key);
  if (!hit) {
    const app = Testing.app();
    const stack = new ClusterStack(app, `${env.name}-cluster`, { env });
    const json = Testing.synth(stack);
    hit = { stack, json, tf: parseStack(json) };
    synthesized.set(key, hit);
  }
  return hit;
}

/** A small valid environment file as written (before defaults), to derive bad inputs from. */
export function validInput(name = "qa"): EnvironmentInput & Record<string, unknown> {
  return {
    name,
    aws: { accountId: "123456789012", region: "eu-central-1" },
    network: { vpcCidr: "10.90.0.0/16", azCount: 2, natGateways: "single" },
    cluster: {
      kubernetesVersion: "1.33",
      endpoint: { mode: "private", allowedCidrs: ["10.200.0.0/22"] },
      admins: ["arn:aws:iam::123456789012:role/platform-admins"],
    },
    nodeGroups: {
      system: { kind: "system", min: 1, desired: 1, max: 2 },
      l40s: { kind: "gpu", accelerator: "l40s", instanceTypes: ["g6e.12xlarge", "g6e.24xlarge"], min: 0, desired: 1, max: 1 },
    },
    maxGpus: 4,
    models: [{ name: "mistral-7b", huggingFaceId: "mistralai/Mistral-7B-Instruct-v0.3", parametersBillions: 7.3, nodeGroup: "l40s" }],
    platform: {},
    stateBackend: { bucket: "example-llm-platform-tfstate", keyPrefix: `llm-platform/${name}`, region: "eu-central-1" },
    tags: { owner: "platform-team", costCenter: "cc-4410" },
  };
}

/** Deep copy of a plain value. */
export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** A fresh temporary directory. */
export function tempDir(prefix = "llm-infra-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/**
 * Writes environment files into `<root>/environments`: objects are serialized as YAML, strings written as is.
 * Returns the folder.
 */
export function writeEnvironments(root: string, files: Readonly<Record<string, object | string>>): string {
  const dir = join(root, "environments");
  mkdirSync(dir, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    writeFileSync(join(dir, file), typeof content === "string" ? content : stringify(content));
  }
  return dir;
}

/** The shipped environment files as parsed YAML (before defaults), by file name. */
export function shippedFiles(): Record<string, object> {
  return Object.fromEntries(
    SHIPPED_NAMES.map((n) => [`${n}.yaml`, parse(readFileSync(join(ENVIRONMENTS_DIR, `${n}.yaml`), "utf8")) as object]),
  );
}

/** What a run of the cdktf app did. */
export interface MainRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** The working directory it ran in. */
  readonly cwd: string;
  /** Whether it wrote cdktf.out/ there. */
  readonly wroteOutput: boolean;
}

/**
 * Runs main.ts (through tsx, so no build is needed) in `cwd` with ENVIRONMENTS_DIR and optional ENVIRONMENTS,
 * the way `cdktf synth` runs the app.
 */
export function runMain(cwd: string, options: { environmentsDir: string; environments?: string }): Promise<MainRun> {
  const tsx = join(REPO, "node_modules/tsx/dist/cli.mjs");
  const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENTS_DIR: options.environmentsDir, CHECKPOINT_DISABLE: "1" };
  delete env.CDKTF_OUTDIR;
  delete env.CDKTF_CONTEXT_JSON;
  if (options.environments) env.ENVIRONMENTS = options.environments;
  else delete env.ENVIRONMENTS;
  return new Promise((done) => {
    execFile(process.execPath, [tsx, join(REPO, "main.ts")], { cwd, env, timeout: 60_000, maxBuffer: 16 << 20 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === "number" ? err.code : null) : 0;
      done({ code, stdout, stderr, cwd, wroteOutput: existsSync(join(cwd, "cdktf.out")) });
    });
  });
}
