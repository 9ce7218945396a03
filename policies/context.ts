/**
 * Builds the read-only RuleContext of one stack: lookups by type, and the links between resources that live in
 * separate Terraform resources (a bucket and its aws_s3_bucket_versioning, a security group and its rules).
 */
import type { EnvironmentConfig } from "../stacks/environment-config";
import type { LocalChart, PolicyResource, RuleContext } from "./types";
import { at, isToken, root } from "./values";

export interface StackInput {
  readonly stack: string;
  readonly source: "synth" | "plan";
  /** Where the stack was read from (file), for messages. */
  readonly file: string;
  readonly resources: readonly PolicyResource[];
  readonly providerDefaultTags?: Readonly<Record<string, string>>;
  /** Charts found on disk, by the releases' `chart` string. */
  readonly localCharts?: ReadonlyMap<string, LocalChart>;
}

/** The environment of a stack: its name without the layer suffix (prod-cluster -> prod). */
export function environmentOf(stack: string): string {
  return stack.replace(/-(cluster|platform)$/, "");
}

/** Known identifiers other resources may use to point at `target` when no reference expression is available. */
function identifiersOf(target: PolicyResource): string[] {
  return ["id", "arn", "bucket", "name"]
    .map((k) => target.values[k])
    .filter((v): v is string => typeof v === "string" && v.length > 0 && !isToken(v));
}

/** True when `value` (any JSON) refers to `address` through a cdktf token, or equals one of the known ids. */
function pointsAt(value: unknown, address: string, ids: readonly string[]): boolean {
  if (typeof value === "string") {
    if (isToken(value)) return value.includes(`\${${address}.`) || value.includes(`\${${address}}`);
    return ids.includes(value);
  }
  if (Array.isArray(value)) return value.some((v) => pointsAt(v, address, ids));
  return false;
}

export function buildContext(input: StackInput, config?: EnvironmentConfig): RuleContext {
  const byType = new Map<string, PolicyResource[]>();
  for (const r of input.resources) {
    const list = byType.get(r.type) ?? [];
    list.push(r);
    byType.set(r.type, list);
  }
  const context: RuleContext = {
    stack: input.stack,
    environment: environmentOf(input.stack),
    source: input.source,
    config,
    resources: input.resources,
    providerDefaultTags: input.providerDefaultTags,
    localChart: (chart) => input.localCharts?.get(chart),
    ofType: (type) => byType.get(type) ?? [],
    referencing: (target, type, attribute) => {
      const ids = identifiersOf(target);
      return (byType.get(type) ?? []).filter((r) => {
        const refs = r.references[attribute] ?? [];
        if (refs.some((a) => a === target.address || a.startsWith(`${target.address}.`))) return true;
        return pointsAt(at(root(r), attribute).value, target.address, ids);
      });
    },
  };
  return context;
}
