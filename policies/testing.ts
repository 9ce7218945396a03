/** Builders for rule tests: resources as either input would produce them, and a context around them. */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { environmentSchema, type EnvironmentConfig } from "../stacks/environment-config";
import { buildContext } from "./context";
import type { JsonObject, JsonValue, LocalChart, PolicyResource, Rule, RuleContext, RuleResult } from "./types";

/** A resource as synthesized cdktf JSON has it (`resource.<type>.<name>`). */
export function synthResource(type: string, values: JsonObject, name = "test"): PolicyResource {
  return { address: `${type}.${name}`, type, name, values, unknown: {}, references: {}, action: "none" };
}

/** A resource as a plan has it (`change.after` and `after_unknown`). */
export function plannedResource(
  type: string,
  after: JsonObject,
  afterUnknown: JsonValue = {},
  name = "test",
  references: Record<string, string[]> = {},
): PolicyResource {
  return { address: `${type}.${name}`, type, name, values: after, unknown: afterUnknown, references, action: "create" };
}

export interface TestContextOptions {
  readonly stack?: string;
  readonly config?: EnvironmentConfig;
  readonly providerDefaultTags?: Record<string, string>;
  readonly localCharts?: Map<string, LocalChart>;
}

/** A context over some resources; the input kind follows the resources (plan when any has a planned action). */
export function contextFor(resources: readonly PolicyResource[], options: TestContextOptions = {}): RuleContext {
  const source = resources.some((r) => r.action !== "none") ? "plan" : "synth";
  return buildContext(
    { stack: options.stack ?? "prod-cluster", source, file: "test", resources, providerDefaultTags: options.providerDefaultTags, localCharts: options.localCharts },
    options.config,
  );
}

/** Runs one rule on one resource with the others of its stack. */
export function runRule(rule: Rule, resource: PolicyResource, others: readonly PolicyResource[] = [], options: TestContextOptions = {}): RuleResult {
  return rule.check(resource, contextFor([resource, ...others], options));
}

/** The prod environment of the fixtures (policies/fixtures/environments/prod.yaml), validated. */
export function fixtureConfig(name = "prod"): EnvironmentConfig {
  return environmentSchema.parse(parse(readFileSync(join(__dirname, "fixtures", "environments", `${name}.yaml`), "utf8")));
}
