import { parseDocument } from "yaml";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { environmentSchema } from "../../stacks/environment-config";
import { parseFieldPath } from "../../tools/env/field-paths";
import { parseFieldValue, resolveField } from "../../tools/env/schema-fields";
import { SHIPPED } from "./support";

const staging = parseDocument(readFileSync(join(SHIPPED, "staging.yaml"), "utf8")).toJS() as unknown;
const prod = parseDocument(readFileSync(join(SHIPPED, "prod.yaml"), "utf8")).toJS() as unknown;

function typed(path: string, text: string, env: unknown = staging): unknown {
  return parseFieldValue(resolveField(environmentSchema, path, env), text);
}

describe("field paths", () => {
  test("parses keys, indices and name selectors", () => {
    expect(parseFieldPath("models[1].replicas")).toEqual([
      { kind: "key", key: "models" },
      { kind: "index", index: 1 },
      { kind: "key", key: "replicas" },
    ]);
    expect(parseFieldPath("models[mistral-7b].autoscaling.minReplicas")[1]).toEqual({ kind: "name", name: "mistral-7b" });
  });
  test.each(["", ".a", "a..b", "a[", "a[]"])("rejects the malformed path %p", (p) => {
    expect(() => parseFieldPath(p)).toThrow(`Malformed field path "${p}" in --set`);
  });
});

describe("typed override values follow the schema's field types", () => {
  test.each([
    ["nodeGroups.a100.desired", "2", 2],
    ["models[0].gpuMemoryUtilization", "0.9", 0.9],
    ["platform.textEmbeddings.classifiers", "true", true],
    ["platform.textEmbeddings.device", "gpu", "gpu"],
    ["nodeGroups.l40s.accelerator", "l40s", "l40s"],
    ["cluster.kubernetesVersion", "1.34", "1.34"], // a string field keeps "1.34" a string
    ["aws.accountId", "000000000001", "000000000001"],
    ["nodeGroups.l40s.instanceTypes", '["g6e.12xlarge","g6e.48xlarge"]', ["g6e.12xlarge", "g6e.48xlarge"]],
    ["models[mistral-7b].pricePer1kTokens", '{"input":0.1,"output":0.2}', { input: 0.1, output: 0.2 }],
    ["tags.team", "ml", "ml"], // the tags' catch-all
    ["redis.mode", "in-cluster", "in-cluster"], // a discriminator: every variant's value
    ["stateBackend.useLockfile", "false", false],
  ])("%s=%s", (path, text, expected) => {
    expect(typed(path, text)).toEqual(expected);
  });

  test("a GPU group's field resolves through the union by its kind", () => {
    expect(resolveField(environmentSchema, "nodeGroups.a100.accelerator", staging).type).toEqual({ kind: "enum", values: ["a100", "l40s"] });
    expect(resolveField(environmentSchema, "nodeGroups.system.kind", staging).type).toEqual({ kind: "enum", values: ["system", "gpu"] });
  });

  test("[name] resolves to the element's index", () => {
    expect(resolveField(environmentSchema, "models[mistral-7b].replicas", staging).path).toEqual(["models", 1, "replicas"]);
  });
});

describe("bad overrides name the path and the expected type", () => {
  test.each([
    ["nodeGroups.a100.desired", "two", 'nodeGroups.a100.desired: expected an integer, got "two"'],
    ["nodeGroups.a100.desired", "1.5", 'nodeGroups.a100.desired: expected an integer, got "1.5"'],
    ["models[0].gpuMemoryUtilization", "high", 'models[0].gpuMemoryUtilization: expected a number, got "high"'],
    ["platform.textEmbeddings.classifiers", "yes", 'platform.textEmbeddings.classifiers: expected a boolean (true or false), got "yes"'],
    ["platform.textEmbeddings.device", "tpu", 'platform.textEmbeddings.device: expected one of cpu, gpu, got "tpu"'],
    ["nodeGroups.l40s.instanceTypes", "g6e.12xlarge", 'nodeGroups.l40s.instanceTypes: expected a JSON array, e.g. ["a","b"], got "g6e.12xlarge" (not valid JSON)'],
    ["nodeGroups.l40s.instanceTypes", '{"a":1}', 'nodeGroups.l40s.instanceTypes: expected a JSON array, e.g. ["a","b"], got "{"a":1}"'],
    ["models[0].pricePer1kTokens", "[1]", 'models[0].pricePer1kTokens: expected a JSON object, e.g. {"key":1}, got "[1]"'],
    ["nodeGroups.a100.desired", "-1", "nodeGroups.a100.desired: Too small: expected number to be >=0, got -1"],
    ["network.vpcCidr", "10.0.0.1/16", "network.vpcCidr: expected the VPC CIDR as an IPv4 network in CIDR notation"],
    ["nodeGroups.a100.foo", "1", 'nodeGroups.a100.foo: unknown field "foo" at nodeGroups.a100; expected one of kind, accelerator, instanceTypes, min, desired, max, diskSizeGiB'],
    ["cluster.endpoint.cidrs", '["1.2.3.0/24"]', 'cluster.endpoint.cidrs: unknown field "cidrs" at cluster.endpoint; expected one of mode'],
    ["models[nope].replicas", "1", 'models[nope].replicas: no element named "nope" in models; expected one of llama-3-70b, mistral-7b'],
    ["models[5].replicas", "1", "models[5].replicas: index 5 is out of range: models has 2 elements"],
    ["models.replicas", "1", "models.replicas: models is a list; expected an index such as models[0] or a name such as models[<name>]"],
    ["maxGpus.x", "1", 'maxGpus.x: maxGpus is an integer, which has no field "x"'],
    ["name", "other", "name: the name is set by --to, not by --set"],
  ])("%s=%s", (path, text, message) => {
    expect(() => typed(path, text, prod)).toThrow(`--set: ${message}`);
  });
});
