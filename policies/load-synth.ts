/**
 * Reads synthesized cdktf output (cdktf.out/stacks/<stack>/cdk.tf.json) into normalized stacks. Each
 * `resource.<type>.<name>` becomes a PolicyResource; the S3 backend becomes a pseudo-resource of type
 * `terraform_backend` so the state-backend rule is an ordinary rule; the AWS provider's default_tags are kept
 * for the tagging rule (they reach every taggable resource).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { loadLocalCharts } from "./charts";
import type { StackInput } from "./context";
import { PolicyInputError } from "./errors";
import type { JsonObject, JsonValue, PolicyResource } from "./types";
import { isObject, isToken } from "./values";

/** Meta-arguments, not attributes: left out of `values`. */
const META_KEYS = new Set(["//", "depends_on", "lifecycle", "provider", "count", "for_each", "provisioner", "connection"]);

function parseJsonFile(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new PolicyInputError(`${file}: cannot read: ${(err as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new PolicyInputError(`${file}: malformed JSON: ${(err as Error).message}`);
  }
}

function firstObject(value: JsonValue | undefined): JsonObject | undefined {
  if (Array.isArray(value)) return value.find(isObject);
  return isObject(value) ? value : undefined;
}

/** Normalizes one synthesized stack document. */
export function normalizeSynthStack(doc: unknown, stack: string, file: string): StackInput {
  if (!isObject(doc)) throw new PolicyInputError(`${file}: expected a JSON object (cdktf's cdk.tf.json)`);
  const resources: PolicyResource[] = [];
  const resourceBlock = doc.resource;
  if (resourceBlock !== undefined && !isObject(resourceBlock)) throw new PolicyInputError(`${file}: resource: expected an object of resource types`);
  for (const [type, byName] of Object.entries(resourceBlock ?? {})) {
    if (!isObject(byName)) throw new PolicyInputError(`${file}: resource.${type}: expected an object of resources by name`);
    for (const [name, body] of Object.entries(byName)) {
      if (!isObject(body)) throw new PolicyInputError(`${file}: resource.${type}.${name}: expected an object`);
      const values: JsonObject = {};
      for (const [k, v] of Object.entries(body)) if (!META_KEYS.has(k)) values[k] = v;
      resources.push({ address: `${type}.${name}`, type, name, values, unknown: {}, references: {}, action: "none" });
    }
  }

  const terraform = isObject(doc.terraform) ? doc.terraform : {};
  const backends = isObject(terraform.backend) ? Object.entries(terraform.backend) : [];
  const [backendType, backendBody] = backends[0] ?? ["local", {}];
  resources.push({
    address: `terraform.backend.${backendType}`,
    type: "terraform_backend",
    name: backendType,
    values: isObject(backendBody) ? backendBody : {},
    unknown: {},
    references: {},
    action: "none",
  });

  let providerDefaultTags: Record<string, string> | undefined;
  const aws = firstObject(isObject(doc.provider) ? doc.provider.aws : undefined);
  if (aws) {
    const tags = firstObject(firstObject(aws.default_tags)?.tags);
    providerDefaultTags = {};
    for (const [k, v] of Object.entries(tags ?? {})) if (typeof v === "string" && !isToken(v)) providerDefaultTags[k] = v;
  }

  const localCharts = loadLocalCharts(resources, [dirname(file), process.cwd()]);
  return { stack, source: "synth", file, resources, providerDefaultTags, localCharts };
}

/**
 * Loads every stack under a cdktf output folder (its `stacks/` subfolder), or a single stack folder holding a
 * cdk.tf.json. Throws PolicyInputError when there is nothing to check.
 */
export function loadSynthDir(dir: string): StackInput[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new PolicyInputError(`${dir}: expected a cdktf output folder (run \`make synth\` first); it does not exist`);
  }
  if (existsSync(join(dir, "cdk.tf.json"))) {
    const file = join(dir, "cdk.tf.json");
    return [normalizeSynthStack(parseJsonFile(file), dir.split(/[\\/]/).filter(Boolean).pop() ?? dir, file)];
  }
  const stacksDir = join(dir, "stacks");
  const stacks = existsSync(stacksDir)
    ? readdirSync(stacksDir).filter((s) => existsSync(join(stacksDir, s, "cdk.tf.json"))).sort()
    : [];
  if (stacks.length === 0) throw new PolicyInputError(`${dir}: expected synthesized stacks in ${stacksDir}/<stack>/cdk.tf.json; found none`);
  return stacks.map((s) => {
    const file = join(stacksDir, s, "cdk.tf.json");
    return normalizeSynthStack(parseJsonFile(file), s, file);
  });
}

export { parseJsonFile };
