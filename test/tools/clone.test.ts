import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseDocument, stringify } from "yaml";
import { checkFleetRules, cidrsOverlap, loadEnvironments, parseCidr } from "../../stacks/environment-config";
import { cloneEnvironment, planClone } from "../../tools/env/clone";
import { allocateCidr } from "../../tools/env/cidr-allocation";
import { readEnvironmentFolder } from "../../tools/env/environment-folder";
import { EnvToolError } from "../../tools/env/errors";
import { readFleetSettings } from "../../tools/env/fleet-settings";
import { accountScopedNames, cleanFolders, seedFolder, snapshotFolder, stacksOf, synthesize, type StackJson } from "./support";

afterAll(cleanFolders);

function backendKeys(stacks: Map<string, StackJson>): string[] {
  return [...stacks.values()].map((s) => s.terraform.backend.s3.key);
}

function vpcCidrs(stacks: Map<string, StackJson>): string[] {
  return [...stacks.values()].flatMap((s) => Object.values(s.resource.aws_vpc ?? {}).map((v) => String(v.cidr_block)));
}

describe("clone staging → perf-1, then synthesize both", () => {
  let dir: string;
  let all: Map<string, StackJson>;
  beforeAll(() => {
    dir = seedFolder();
    cloneEnvironment({ dir, from: "staging", to: "perf-1" });
    all = synthesize(dir, ["staging", "perf-1"]);
  });

  test("given a clone, when synthesized, then it has its own stacks named after it", () => {
    const ids = [...all.keys()];
    expect(ids).toContain("perf-1-cluster");
    expect(ids).toContain("staging-cluster");
    const source = [...stacksOf(all, "staging").keys()].map((id) => id.replace(/^staging-/, ""));
    const clone = [...stacksOf(all, "perf-1").keys()].map((id) => id.replace(/^perf-1-/, ""));
    expect(clone.sort()).toEqual(source.sort());
  });

  test("state keys are the clone's own: keyPrefix rewritten, no key shared with the source", () => {
    const cloneKeys = backendKeys(stacksOf(all, "perf-1"));
    const sourceKeys = backendKeys(stacksOf(all, "staging"));
    expect(cloneKeys).toContain("llm-platform/perf-1/perf-1-cluster.tfstate");
    expect(cloneKeys.filter((k) => sourceKeys.includes(k))).toEqual([]);
  });

  test("the VPC CIDR is allocated from the supernet and overlaps no shipped environment", () => {
    const [cloneCidr] = vpcCidrs(stacksOf(all, "perf-1"));
    const [sourceCidr] = vpcCidrs(stacksOf(all, "staging"));
    expect(cloneCidr).toBe("10.0.0.0/16"); // lowest free /16 of 10.0.0.0/8 (dev, staging, prod use 10.10/10.20/10.30)
    for (const other of ["10.10.0.0/16", "10.20.0.0/16", "10.30.0.0/16", sourceCidr!]) expect(cidrsOverlap(cloneCidr!, other)).toBe(false);
  });

  test("account-scoped resource names differ from the source's (same account, so they must)", () => {
    const source = accountScopedNames(stacksOf(all, "staging").values());
    const clone = accountScopedNames(stacksOf(all, "perf-1").values());
    expect(clone.length).toBeGreaterThan(5);
    expect(clone.length).toBe(source.length);
    expect(clone.filter((n) => source.includes(n))).toEqual([]);
    expect(clone).toContain("aws_eks_cluster:llm-perf-1");
    expect(clone).toContain("aws_s3_bucket:llm-perf-1-models-123456789012-us-east-1");
  });

  test("the source's comments survive, under a header saying where the file came from", () => {
    const text = readFileSync(join(dir, "perf-1.yaml"), "utf8");
    expect(text).toMatch(/^# perf-1: cloned from staging with `env clone --from staging --to perf-1`/);
    expect(text).toContain("# Staging: prod's shape at smaller scale, for release candidates.");
    expect(text).toContain("# office egress");
    expect(readFileSync(join(dir, "staging.yaml"), "utf8")).toBe(readFileSync(join(__dirname, "../../environments/staging.yaml"), "utf8"));
  });
});

test("a clone of a clone gets a third CIDR, its own state prefix and validates with the whole folder", () => {
  const dir = seedFolder();
  const first = cloneEnvironment({ dir, from: "prod", to: "pilot-a" });
  const second = cloneEnvironment({ dir, from: "pilot-a", to: "pilot-b" });
  expect(second.config.stateBackend.keyPrefix).toBe("llm-platform/pilot-b");
  expect(second.config.platform.gateway.ingressHost).toBe("llm.pilot-b.example.com");
  expect(cidrsOverlap(first.config.network.vpcCidr, second.config.network.vpcCidr)).toBe(false);
  const all = loadEnvironments(dir);
  expect(all.map((e) => e.name).sort()).toEqual(["dev", "pilot-a", "pilot-b", "prod", "staging"]);
  // The comment chain: pilot-b's header names pilot-a, and prod's own comments are still there.
  const text = readFileSync(join(dir, "pilot-b.yaml"), "utf8");
  expect(text).toMatch(/^# pilot-b: cloned from pilot-a/);
  expect(text).toContain("# one NAT per AZ: an AZ outage must not take egress down");
});

test("fifty clones get pairwise non-overlapping CIDRs inside the supernet, and one of them synthesizes", () => {
  // Forty-nine allocations written straight to the folder (cloning re-reads the whole folder each time, which would
  // make fifty real clones quadratic and slow), then the fiftieth through the real clone path, which must avoid all.
  const dir = seedFolder();
  const fleet = readFleetSettings(dir);
  const devRaw = parseDocument(readFileSync(join(dir, "dev.yaml"), "utf8")).toJS() as Record<string, Record<string, unknown>>;
  const used = readEnvironmentFolder(dir).map((e) => e.vpcCidr!);
  for (let i = 1; i <= 49; i++) {
    const name = `load-${i}`;
    const vpcCidr = allocateCidr(fleet.vpcSupernet, fleet.vpcPrefixLength, used);
    used.push(vpcCidr);
    const raw = { ...devRaw, name, network: { ...devRaw.network, vpcCidr }, stateBackend: { ...devRaw.stateBackend, keyPrefix: `llm-platform/${name}` } };
    writeFileSync(join(dir, `${name}.yaml`), stringify(raw));
  }
  const last = cloneEnvironment({ dir, from: "load-49", to: "load-50", gpuScaleToZero: true });
  const envs = loadEnvironments(dir); // the same validation synthesis runs, fleet rules included
  expect(envs).toHaveLength(53);
  const cidrs = envs.map((e) => e.network.vpcCidr);
  cidrs.forEach((a, i) => cidrs.slice(0, i).forEach((b) => expect(cidrsOverlap(a, b)).toBe(false)));
  for (const e of envs.filter((env) => env.name.startsWith("load-"))) {
    expect(cidrsOverlap(e.network.vpcCidr, fleet.vpcSupernet)).toBe(true);
    expect(parseCidr(e.network.vpcCidr)!.prefix).toBe(16);
  }
  const stacks = synthesize(dir, ["load-50"]);
  expect(vpcCidrs(stacks)).toEqual([last.config.network.vpcCidr]);
  expect(backendKeys(stacks)).toContain("llm-platform/load-50/load-50-cluster.tfstate");
});

test("an exhausted supernet is a clear error and writes nothing", () => {
  // 10.20.0.0/15 holds two /16s; staging owns 10.20.0.0/16, so one clone fits.
  const dir = seedFolder({ fleet: "vpcSupernet: 10.20.0.0/15\nvpcPrefixLength: 16\n" });
  expect(cloneEnvironment({ dir, from: "staging", to: "one" }).config.network.vpcCidr).toBe("10.21.0.0/16");
  const before = snapshotFolder(dir);
  expect(() => planClone({ dir, from: "staging", to: "two" })).toThrow(
    "No free /16 left in the VPC supernet 10.20.0.0/15: all 2 blocks overlap existing environments or reserved ranges (4 in use). " +
      "Widen vpcSupernet or raise vpcPrefixLength in environments/_fleet.yaml, or pass --set network.vpcCidr=<free CIDR>",
  );
  expect(snapshotFolder(dir)).toEqual(before);
});

test("reserved ranges in _fleet.yaml are never handed out", () => {
  const dir = seedFolder({ fleet: "vpcSupernet: 10.0.0.0/8\nreservedCidrs: [10.0.0.0/14]\n" });
  expect(planClone({ dir, from: "dev", to: "x" }).config.network.vpcCidr).toBe("10.4.0.0/16");
});

test("--gpu-scale-to-zero: GPU groups min/desired 0, model replicas and autoscaling minimums 0, system group untouched", () => {
  const dir = seedFolder();
  const { config, source } = planClone({ dir, from: "prod", to: "cheap", gpuScaleToZero: true });
  for (const [name, g] of Object.entries(config.nodeGroups)) {
    if (g.kind === "gpu") expect([g.min, g.desired, g.max]).toEqual([0, 0, source.nodeGroups[name]!.max]);
    else expect(g).toEqual(source.nodeGroups[name]);
  }
  expect(config.models.map((m) => [m.replicas, m.autoscaling?.minReplicas])).toEqual([
    [0, undefined],
    [0, 0],
  ]);
});

test("--region moves the environment (bucket name follows) but keeps the state bucket's region; --account moves admin ARNs", () => {
  const dir = seedFolder();
  const plan = planClone({ dir, from: "staging", to: "west", region: "us-west-2", account: "999999999999" });
  expect(plan.config.aws).toEqual({ accountId: "999999999999", region: "us-west-2" });
  expect(plan.config.stateBackend.region).toBe("us-east-1");
  expect(plan.config.cluster.admins).toEqual(["arn:aws:iam::999999999999:role/platform-admins"]);
  expect(plan.notes.join("\n")).toContain("stateBackend.region stays us-east-1");
  // The account id stays a quoted string in YAML, so it is not read back as a number.
  expect(plan.text).toContain('accountId: "999999999999"');
  cloneEnvironment({ dir, from: "staging", to: "west", region: "us-west-2", account: "999999999999" });
  const names = accountScopedNames(synthesize(dir, ["west"]).values());
  expect(names).toContain("aws_s3_bucket:llm-west-models-999999999999-us-west-2");
});

test("typed overrides are applied in place, keeping the document's style", () => {
  const dir = seedFolder();
  const plan = planClone({
    dir,
    from: "staging",
    to: "tuned",
    overrides: ["nodeGroups.a100.max=2", "models[mistral-7b].replicas=3", "platform.textEmbeddings.classifiers=true", "tags.team=ml", 'cluster.endpoint.cidrs=["198.51.100.0/24"]', "maxGpus=24"],
  });
  expect(plan.config.nodeGroups.a100!.max).toBe(2);
  expect(plan.config.models.find((m) => m.name === "mistral-7b")!.replicas).toBe(3);
  expect(plan.config.platform.textEmbeddings.classifiers).toBe(true);
  expect(plan.config.tags.team).toBe("ml");
  expect(plan.text).toContain("cidrs: [ 198.51.100.0/24 ]"); // still a flow sequence
  expect(plan.notes.join("\n")).toContain('cluster.endpoint.cidrs changed, so its comment "# office egress" was dropped');
  const doc = parseDocument(plan.text);
  expect(doc.getIn(["models", 1, "replicas"])).toBe(3);
});

test("switching a union's variant drops the old variant's fields and says so", () => {
  const dir = seedFolder();
  const plan = planClone({ dir, from: "prod", to: "incluster", overrides: ["redis.mode=in-cluster"] });
  expect(plan.config.redis).toEqual({ mode: "in-cluster", storageGiB: 8, replicas: 0 });
  expect(plan.notes).toContain("redis.nodeType removed: redis.mode=in-cluster has no such field");
});

test("an explicit --set network.vpcCidr skips allocation but is still checked against the fleet", () => {
  const dir = seedFolder();
  expect(planClone({ dir, from: "dev", to: "pinned", overrides: ["network.vpcCidr=10.99.0.0/16"] }).config.network.vpcCidr).toBe("10.99.0.0/16");
  expect(() => planClone({ dir, from: "dev", to: "pinned", overrides: ["network.vpcCidr=10.10.128.0/17"] })).toThrow(
    /pinned\.yaml: network\.vpcCidr: expected a VPC CIDR that overlaps no other environment; 10\.10\.128\.0\/17 overlaps 10\.10\.0\.0\/16 of .*dev\.yaml/,
  );
});

describe("bad input: a clear error, and nothing written", () => {
  const cases: Array<[string, Parameters<typeof planClone>[0], string | RegExp]> = [
    ["unknown source", { from: "nope", to: "x1" }, /Unknown source environment "nope":\n  --from: expected one of dev, prod, staging/],
    ["invalid target name", { from: "staging", to: "Perf_1" }, /--to: expected a DNS-safe label .* got "Perf_1"/],
    ["target name too long", { from: "staging", to: "a-very-long-environment-name" }, /--to: expected a DNS-safe label/],
    ["existing target", { from: "staging", to: "prod" }, /Environment "prod" already exists:\n  .*prod\.yaml: refusing to overwrite an existing environment/],
    ["override of an unknown path", { from: "staging", to: "x2", overrides: ["nodeGroups.a100.foo=1"] }, 'nodeGroups.a100.foo: unknown field "foo" at nodeGroups.a100; expected one of kind, accelerator, instanceTypes, min, desired, max, diskSizeGiB'],
    ["override of the wrong type", { from: "staging", to: "x3", overrides: ["nodeGroups.a100.desired=two"] }, '--set: nodeGroups.a100.desired: expected an integer, got "two"'],
    ["override that is not path=value", { from: "staging", to: "x4", overrides: ["maxGpus"] }, "--set: maxGpus: expected path=value, e.g. nodeGroups.a100.desired=2"],
    ["override breaking a cross-field rule", { from: "staging", to: "x5", overrides: ["nodeGroups.a100.min=5"] }, /x5\.yaml: nodeGroups\.a100\.min: expected min \(5\) ≤ desired \(1\)/],
    ["region without the GPU instance types", { from: "staging", to: "x6", region: "sa-east-1" }, /x6\.yaml: nodeGroups\.a100\.instanceTypes\[0\]: expected an instance type offered in sa-east-1; p4d\.24xlarge is known only in us-east-1/],
    ["malformed region", { from: "staging", to: "x7", region: "mars" }, "--region: aws.region: expected an AWS region such as us-east-1"],
    ["malformed account", { from: "staging", to: "x8", account: "12" }, "--account: aws.accountId: expected a 12-digit AWS account id"],
  ];
  test.each(cases)("%s", (_, options, message) => {
    const dir = seedFolder();
    const before = snapshotFolder(dir);
    let error: unknown;
    try {
      cloneEnvironment({ ...options, dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EnvToolError);
    if (typeof message === "string") expect((error as Error).message).toContain(message);
    else expect((error as Error).message).toMatch(message);
    expect(snapshotFolder(dir)).toEqual(before);
  });

  test("a folder with an invalid environment refuses to clone (synthesis would fail too)", () => {
    const dir = seedFolder();
    writeFileSync(join(dir, "broken.yaml"), "name: broken\n");
    const before = snapshotFolder(dir);
    expect(() => cloneEnvironment({ dir, from: "staging", to: "x9" })).toThrow(/The environments folder does not validate .*\n  .*broken\.yaml: aws: /);
    expect(snapshotFolder(dir)).toEqual(before);
    expect(existsSync(join(dir, "x9.yaml"))).toBe(false);
  });
});

test("fleet rules see the clone: checkFleetRules over the folder after a clone finds no problem", () => {
  const dir = seedFolder();
  cloneEnvironment({ dir, from: "dev", to: "dev-2" });
  const envs = loadEnvironments(dir).map((config) => ({ file: `${config.name}.yaml`, config }));
  expect(checkFleetRules(envs)).toEqual([]);
});
