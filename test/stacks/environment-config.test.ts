import fc from "fast-check";
import {
  checkFleetRules,
  cidrsOverlap,
  environmentSchema,
  parseCidr,
  resourceTags,
  validateEnvironment,
  type EnvironmentConfig,
} from "../../stacks/environment-config";
import { clone, validInput } from "../support/cluster-fixtures";
import gpuRegionData from "../../constructs/data/gpu-instance-regions.json";

const FILE = "environments/qa.yaml";

function problemsOf(mutate: (input: ReturnType<typeof validInput>) => void): Array<{ file: string; path: string; message: string }> {
  const input = clone(validInput());
  mutate(input);
  const result = validateEnvironment(input, FILE);
  return result.ok ? [] : result.problems;
}

function configOf(input: unknown, file = FILE): EnvironmentConfig {
  const result = validateEnvironment(input, file);
  if (!result.ok) throw new Error(JSON.stringify(result.problems));
  return result.config;
}

describe("environment schema", () => {
  test("a short file is valid and the schema fills the defaults", () => {
    const env = configOf(validInput());
    expect(env.cluster.logRetentionDays).toBe(90);
    expect(env.redis).toEqual({ mode: "in-cluster", storageGiB: 8, replicas: 0 });
    expect(env.nodeGroups["system"]).toMatchObject({ instanceTypes: ["m7i.xlarge"], diskSizeGiB: 100 });
    expect(env.nodeGroups["l40s"]).toMatchObject({ diskSizeGiB: 500 });
    expect(env.stateBackend).toMatchObject({ useLockfile: true, encrypt: true });
    expect(env.models[0]).toMatchObject({ tensorParallelSize: 1, replicas: 1, maxModelLen: 4096 });
    expect(environmentSchema.safeParse(validInput()).success).toBe(true);
  });

  test("resource tags carry owner, cost-center and environment", () => {
    expect(resourceTags(configOf(validInput()))).toMatchObject({ owner: "platform-team", "cost-center": "cc-4410", environment: "qa" });
  });

  // One case per kind of bad input the issue lists: each names the file, the field path and what was expected.
  test("an unknown key names the key and the keys expected there", () => {
    expect(problemsOf((i) => Object.assign(i.network, { natGateway: "single" }))).toEqual([
      { file: FILE, path: "network.natGateway", message: "unknown key: not part of the environment schema; expected one of vpcCidr, azCount, natGateways" },
    ]);
  });

  test("an unknown key inside a node group lists that group kind's keys", () => {
    expect(problemsOf((i) => Object.assign(i.nodeGroups["l40s"]!, { spot: true }))).toEqual([
      { file: FILE, path: "nodeGroups.l40s.spot", message: "unknown key: not part of the environment schema; expected one of kind, accelerator, instanceTypes, min, desired, max, diskSizeGiB" },
    ]);
  });

  test("a wrong type", () => {
    expect(problemsOf((i) => Object.assign(i.network, { azCount: "three" }))).toEqual([
      { file: FILE, path: "network.azCount", message: "Invalid input: expected number, received string" },
    ]);
  });

  test("an account id written as a number (unquoted YAML)", () => {
    expect(problemsOf((i) => Object.assign(i.aws, { accountId: 123456789012 }))).toEqual([
      { file: FILE, path: "aws.accountId", message: "Invalid input: expected string, received number" },
    ]);
  });

  test.each(["10.90.0.0", "10.90.0.0/40", "10.300.0.0/16", "10.90.0.1/16"])("a malformed CIDR: %s", (vpcCidr) => {
    expect(problemsOf((i) => Object.assign(i.network, { vpcCidr }))).toEqual([
      { file: FILE, path: "network.vpcCidr", message: "expected the VPC CIDR as an IPv4 network in CIDR notation, e.g. 10.20.0.0/16, with no host bits set" },
    ]);
  });

  test("min > desired", () => {
    expect(problemsOf((i) => Object.assign(i.nodeGroups["system"]!, { min: 2, desired: 1 }))).toEqual([
      { file: FILE, path: "nodeGroups.system.min", message: "expected min (2) ≤ desired (1)" },
    ]);
  });

  test("desired > max", () => {
    expect(problemsOf((i) => Object.assign(i.nodeGroups["system"]!, { desired: 3, max: 2 }))).toEqual([
      { file: FILE, path: "nodeGroups.system.desired", message: "expected desired (3) ≤ max (2)" },
    ]);
  });

  test("an instance type of another accelerator", () => {
    expect(problemsOf((i) => Object.assign(i.nodeGroups["l40s"]!, { instanceTypes: ["g6e.12xlarge", "p4d.24xlarge"] }))).toEqual([
      {
        file: FILE,
        path: "nodeGroups.l40s.instanceTypes[1]",
        message: 'expected an instance type with L40S GPUs (g6e.xlarge, g6e.2xlarge, g6e.4xlarge, g6e.8xlarge, g6e.16xlarge, g6e.12xlarge, g6e.24xlarge, g6e.48xlarge), got "p4d.24xlarge"',
      },
    ]);
  });

  test("a model whose tensor parallelism exceeds the GPUs of its group's nodes", () => {
    expect(problemsOf((i) => Object.assign(i.models[0]!, { tensorParallelSize: 8 }))).toEqual([
      { file: FILE, path: "models[0].tensorParallelSize", message: "tensorParallelSize (8) exceeds GPUs per node of l40s (4)" },
    ]);
  });

  test("a GPU instance type not offered in the environment's region", () => {
    const regions = (gpuRegionData.regions as Record<string, string[]>)["g6e.12xlarge"]!;
    const region = "af-south-1";
    expect(regions).not.toContain(region);
    const problems = problemsOf((i) => Object.assign(i.aws, { region }));
    expect(problems).toContainEqual({
      file: FILE,
      path: "nodeGroups.l40s.instanceTypes[0]",
      message: `expected an instance type offered in af-south-1; g6e.12xlarge is known only in ${regions.join(", ")} (constructs/data/gpu-instance-regions.json)`,
    });
  });

  test("a model on a group that does not exist", () => {
    expect(problemsOf((i) => Object.assign(i.models[0]!, { nodeGroup: "h100" }))).toEqual([
      { file: FILE, path: "models[0].nodeGroup", message: 'expected one of the GPU node groups (l40s), got "h100"' },
    ]);
  });

  test("a private endpoint needs someone to admit, and admits only restricted networks and security group ids", () => {
    expect(problemsOf((i) => (i.cluster.endpoint = { mode: "private" }))).toEqual([
      {
        file: FILE,
        path: "cluster.endpoint",
        message:
          "expected allowedCidrs or allowedSecurityGroupIds for a private endpoint: the cluster security group admits only itself, so nothing outside the cluster (VPN, bastion, CI runner) could reach the API to deploy the platform stack",
      },
    ]);
    expect(problemsOf((i) => delete (i.cluster as { endpoint?: unknown }).endpoint)).toHaveLength(1);
    expect(problemsOf((i) => (i.cluster.endpoint = { mode: "private", allowedCidrs: ["0.0.0.0/0"] }))).toEqual([
      { file: FILE, path: "cluster.endpoint.allowedCidrs[0]", message: "expected a restricted CIDR, not /0" },
    ]);
    expect(problemsOf((i) => (i.cluster.endpoint = { mode: "private", allowedSecurityGroupIds: ["sg-123"] }))).toEqual([
      { file: FILE, path: "cluster.endpoint.allowedSecurityGroupIds[0]", message: "expected a security group id, sg- and 8 or 17 hex digits" },
    ]);
    expect(problemsOf((i) => (i.cluster.endpoint = { mode: "private", allowedSecurityGroupIds: ["sg-0123456789abcdef0"] }))).toEqual([]);
  });

  test("Qdrant's replication factor fits its replicas, and write consistency fits the replication factor", () => {
    expect(problemsOf((i) => (i.platform = { qdrant: { replicas: 3, replicationFactor: 4 } }))).toEqual([
      { file: FILE, path: "platform.qdrant.replicationFactor", message: "expected at most platform.qdrant.replicas (3) copies of each shard, got 4" },
    ]);
    expect(problemsOf((i) => (i.platform = { qdrant: { replicas: 3, writeConsistencyFactor: 3 } }))).toEqual([
      { file: FILE, path: "platform.qdrant.writeConsistencyFactor", message: "expected at most the replication factor (2), got 3" },
    ]);
    expect(problemsOf((i) => (i.platform = { qdrant: { replicas: 3, replicationFactor: 3, writeConsistencyFactor: 2 } }))).toEqual([]);
  });

  test("a log retention CloudWatch does not offer", () => {
    expect(problemsOf((i) => Object.assign(i.cluster, { logRetentionDays: 10 }))[0]).toMatchObject({
      path: "cluster.logRetentionDays",
      message: expect.stringMatching(/^expected one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30, 60, 90/),
    });
  });

  test("the gateway image: a pinned repository and tag are taken; a malformed repository or a floating tag names the field", () => {
    const image = (repository: string, tag: string) => (i: ReturnType<typeof validInput>) => Object.assign(i, { platform: { gateway: { image: { repository, tag } } } });
    for (const repository of ["ghcr.io/acme/llm-gateway", "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-gateway", "localhost:5000/gw", "acme/llm_gateway"]) {
      expect(problemsOf(image(repository, "0.3.1"))).toEqual([]);
    }
    const i = clone(validInput());
    image("ghcr.io/acme/llm-gateway", "3f9c2ab")(i);
    expect(configOf(i).platform.gateway.image).toEqual({ repository: "ghcr.io/acme/llm-gateway", tag: "3f9c2ab" });
    for (const repository of ["ghcr.io/Acme/llm-gateway", "ghcr.io/acme/llm-gateway:0.3.1", "ghcr.io/acme//gw", "-gw"]) {
      expect(problemsOf(image(repository, "0.3.1"))).toEqual([
        { file: FILE, path: "platform.gateway.image.repository", message: expect.stringMatching(/^expected an image repository such as ghcr.io\/acme\/llm-gateway/) },
      ]);
    }
    for (const tag of ["latest", "Main", ".1", "a b"]) {
      expect(problemsOf(image("ghcr.io/acme/llm-gateway", tag))).toEqual([{ file: FILE, path: "platform.gateway.image.tag", message: expect.stringMatching(/^expected (a pinned tag|an image tag)/) }]);
    }
  });

  test("the gateway's OTLP endpoint must be an http(s) URL", () => {
    const otlp = (otlpEndpoint: string) => (i: ReturnType<typeof validInput>) => Object.assign(i, { platform: { gateway: { otlpEndpoint } } });
    expect(problemsOf(otlp("http://otel-collector.monitoring:4318"))).toEqual([]);
    for (const bad of ["otel-collector:4318", "grpc://otel:4317"]) {
      expect(problemsOf(otlp(bad))).toEqual([{ file: FILE, path: "platform.gateway.otlpEndpoint", message: "expected an http(s) URL of an OTLP/HTTP endpoint, e.g. http://otel-collector.monitoring:4318" }]);
    }
  });

  test("a name that does not match the file", () => {
    expect(problemsOf((i) => Object.assign(i, { name: "dev" }))).toEqual([
      { file: FILE, path: "name", message: 'expected the environment name to match the file name ("qa"), got "dev"' },
    ]);
  });
});

describe("rules across environments", () => {
  const qa = configOf(validInput("qa"));
  const perf = configOf({ ...validInput("perf"), network: { vpcCidr: "10.90.128.0/17", azCount: 2 } }, "environments/perf.yaml");

  test("an overlapping VPC CIDR names both files", () => {
    expect(checkFleetRules([{ file: "environments/qa.yaml", config: qa }, { file: "environments/perf.yaml", config: perf }])).toEqual([
      {
        file: "environments/perf.yaml",
        path: "network.vpcCidr",
        message: "expected a VPC CIDR that overlaps no other environment; 10.90.128.0/17 overlaps 10.90.0.0/16 of environments/qa.yaml",
      },
    ]);
  });

  test("a duplicate environment name names both files", () => {
    const again = configOf({ ...validInput("qa"), network: { vpcCidr: "10.91.0.0/16", azCount: 2 } }, "environments/qa.yml");
    expect(checkFleetRules([{ file: "environments/qa.yaml", config: qa }, { file: "environments/qa.yml", config: again }])).toEqual([
      { file: "environments/qa.yml", path: "name", message: 'duplicate environment name "qa" (also in environments/qa.yaml)' },
    ]);
  });

  test("CIDR overlap agrees with address arithmetic", () => {
    const net = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 8, max: 24 }));
    fc.assert(
      fc.property(net, net, ([a1, a2, pa], [b1, b2, pb]) => {
        const cidr = (x: number, y: number, p: number) => {
          const addr = ((10 << 24) | (x << 16) | (y << 8)) >>> 0;
          const mask = (0xffffffff << (32 - p)) >>> 0;
          const n = (addr & mask) >>> 0;
          return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}/${p}`;
        };
        const a = cidr(a1, a2, pa);
        const b = cidr(b1, b2, pb);
        const pa_ = parseCidr(a)!;
        const pb_ = parseCidr(b)!;
        const endA = pa_.network + 2 ** (32 - pa_.prefix) - 1;
        const endB = pb_.network + 2 ** (32 - pb_.prefix) - 1;
        return cidrsOverlap(a, b) === (pa_.network <= endB && pb_.network <= endA);
      }),
    );
  });
});
