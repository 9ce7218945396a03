/**
 * The cdktf app end to end, as `cdktf synth` runs it: every shipped environment synthesizes into cdktf.out/ with
 * no secret value in it, and every kind of bad environment file stops synthesis before anything is written, with
 * one message naming the file, the field path and what was expected. Each run works in a fresh temporary
 * directory with its own environments folder: the real CLI (main.ts as `cdktf synth` runs it) for the shipped
 * environments and one bad case, main's synthesize() in-process for every bad case (milliseconds each).
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { synthesize } from "../../main";
import { EnvironmentConfigError } from "../../stacks/environment-config";
import { clone, runMain, shippedFiles, tempDir, writeEnvironments, type MainRun } from "../support/cluster-fixtures";

type Files = Record<string, object | string>;
type Mutation = (files: Record<string, any>) => void; // the files are free-form YAML trees, each case edits one field

interface BadCase {
  readonly name: string;
  readonly mutate: Mutation;
  /** The exact line the app prints for the problem. */
  readonly line: string;
  readonly environments?: string;
}

const BAD: readonly BadCase[] = [
  {
    name: "an unknown key",
    mutate: (f) => (f["staging.yaml"].cluster.endpointAccess = "private"),
    line: "  environments/staging.yaml: cluster.endpointAccess: unknown key: not part of the environment schema; expected one of kubernetesVersion, endpoint, admins, logRetentionDays",
  },
  {
    name: "a wrong type",
    mutate: (f) => (f["dev.yaml"].nodeGroups.system.max = "three"),
    line: "  environments/dev.yaml: nodeGroups.system.max: Invalid input: expected number, received string",
  },
  {
    name: "a malformed CIDR",
    mutate: (f) => (f["prod.yaml"].network.vpcCidr = "10.30.0/16"),
    line: "  environments/prod.yaml: network.vpcCidr: expected the VPC CIDR as an IPv4 network in CIDR notation, e.g. 10.20.0.0/16, with no host bits set",
  },
  {
    name: "a VPC CIDR overlapping another environment's",
    mutate: (f) => (f["staging.yaml"].network.vpcCidr = "10.10.0.0/17"),
    line: "  environments/staging.yaml: network.vpcCidr: expected a VPC CIDR that overlaps no other environment; 10.10.0.0/17 overlaps 10.10.0.0/16 of environments/dev.yaml",
  },
  {
    name: "min > desired",
    mutate: (f) => Object.assign(f["prod.yaml"].nodeGroups.a100, { min: 3, desired: 2 }),
    line: "  environments/prod.yaml: nodeGroups.a100.min: expected min (3) ≤ desired (2)",
  },
  {
    name: "desired > max",
    mutate: (f) => Object.assign(f["dev.yaml"].nodeGroups.l40s, { desired: 2, max: 1 }),
    line: "  environments/dev.yaml: nodeGroups.l40s.desired: expected desired (2) ≤ max (1)",
  },
  {
    name: "an instance type of the wrong accelerator",
    mutate: (f) => (f["prod.yaml"].nodeGroups.a100.instanceTypes = ["g6e.48xlarge"]),
    line: '  environments/prod.yaml: nodeGroups.a100.instanceTypes[0]: expected an instance type with A100 GPUs (p4d.24xlarge, p4de.24xlarge), got "g6e.48xlarge"',
  },
  {
    name: "a duplicate environment name",
    mutate: (f) => {
      f["dev.yml"] = clone(f["dev.yaml"]);
      f["dev.yml"].network.vpcCidr = "10.40.0.0/16";
    },
    line: '  environments/dev.yml: name: duplicate environment name "dev" (also in environments/dev.yaml)',
  },
  {
    name: "a model whose tensor parallelism exceeds the GPUs per node of its group",
    mutate: (f) => (f["dev.yaml"].models[1].tensorParallelSize = 8),
    line: "  environments/dev.yaml: models[1].tensorParallelSize: tensorParallelSize (8) exceeds GPUs per node of l40s (4)",
  },
  {
    name: "a missing environment file",
    mutate: () => undefined,
    environments: "dev,qa",
    line: "  environments/qa.yaml: (file): expected an environment file here, but it does not exist (environments found: dev, prod, staging)",
  },
  {
    name: "invalid YAML",
    mutate: (f) => (f["staging.yaml"] = "name: staging\naws: [unclosed\n"),
    line: "  environments/staging.yaml: line 3: invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]",
  },
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

/** Keys whose values are secrets when they hold a literal: in synthesized JSON they must be references. */
const SECRET_KEY = /(password|passwd|secret_string|auth_token|token|private_key|secret_key|access_key)$/i;
const REFERENCE = /^\$\{[^{}]+\}$/;

function literalSecrets(value: unknown, path: string, found: string[]): void {
  if (Array.isArray(value)) value.forEach((v, i) => literalSecrets(v, `${path}[${i}]`, found));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (SECRET_KEY.test(k) && typeof v === "string" && !REFERENCE.test(v)) found.push(`${path}.${k}`);
      literalSecrets(v, `${path}.${k}`, found);
    }
  }
}

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

describe("synthesis of the shipped environments", () => {
  let run: MainRun;
  beforeAll(async () => {
    const root = tempDir();
    roots.push(root);
    run = await runMain(root, { environmentsDir: writeEnvironments(root, shippedFiles()) });
  }, 90_000);

  test("every shipped environment synthesizes into cdktf.out/stacks/<env>-cluster", () => {
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const stacks = readdirSync(join(run.cwd, "cdktf.out/stacks"));
    expect(stacks).toEqual(expect.arrayContaining(["dev-cluster", "prod-cluster", "staging-cluster"]));
    const manifest = JSON.parse(readFileSync(join(run.cwd, "cdktf.out/manifest.json"), "utf8"));
    expect(Object.keys(manifest.stacks)).toEqual(expect.arrayContaining(["dev-cluster", "prod-cluster", "staging-cluster"]));
  });

  test("no secret value appears anywhere in cdktf.out: secret attributes hold references only", () => {
    const files = filesUnder(join(run.cwd, "cdktf.out"));
    expect(files.length).toBeGreaterThan(3);
    const found: string[] = [];
    let sensitiveRefs = 0;
    for (const file of files) {
      const text = readFileSync(file, "utf8");
      expect(text).not.toMatch(/AKIA[0-9A-Z]{16}|-----BEGIN [A-Z ]*PRIVATE KEY-----|aws_secret_access_key/);
      if (!file.endsWith(".json")) continue;
      const json: unknown = JSON.parse(text);
      literalSecrets(json, file.slice(run.cwd.length), found);
      sensitiveRefs += (text.match(/"(auth_token|secret_string)": "\$\{random_password\.[\w-]+\.result\}"/g) ?? []).length;
    }
    expect(found).toEqual([]);
    // staging and prod have managed Redis: each references its generated token twice (group and secret).
    expect(sensitiveRefs).toBe(4);
  });

  test("the random passwords are generated at apply time, never given a value", () => {
    const prod = JSON.parse(readFileSync(join(run.cwd, "cdktf.out/stacks/prod-cluster/cdk.tf.json"), "utf8"));
    for (const body of Object.values<Record<string, unknown>>(prod.resource.random_password)) {
      expect(Object.keys(body).filter((k) => k !== "//").sort()).toEqual(["length", "special"]);
    }
  });
});

describe("synthesis stops before writing anything on bad input", () => {
  /** Runs the app's synthesize() in a fresh working directory; returns the problem lines and what was written. */
  function attempt(c: BadCase): { lines: string[]; root: string } {
    const root = tempDir();
    roots.push(root);
    const files: Files = clone(shippedFiles());
    c.mutate(files);
    const dir = writeEnvironments(root, files);
    try {
      synthesize({ environmentsDir: dir, environments: c.environments?.split(","), cwd: root });
    } catch (err) {
      if (!(err instanceof EnvironmentConfigError)) throw err;
      return { lines: err.message.split("\n"), root };
    }
    throw new Error(`${c.name}: synthesis succeeded`);
  }

  test.each(BAD.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    const { lines, root } = attempt(c);
    // one message: the header and the problem, naming the file, the field path and what was expected
    expect(lines).toEqual(["Invalid environment configuration (nothing was synthesized):", c.line]);
    expect(readdirSync(root)).toEqual(["environments"]);
  });

  test("the CLI prints the message, exits 1 and writes no cdktf.out", async () => {
    const c = BAD.find((b) => b.name === "min > desired")!;
    const root = tempDir();
    roots.push(root);
    const files: Files = clone(shippedFiles());
    c.mutate(files);
    const run = await runMain(root, { environmentsDir: writeEnvironments(root, files) });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split("\n")).toEqual(["Invalid environment configuration (nothing was synthesized):", c.line]);
    expect(run.wroteOutput).toBe(false);
    expect(existsSync(join(run.cwd, "cdktf.out"))).toBe(false);
  }, 60_000);
});
