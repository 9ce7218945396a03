import taggable from "../data/taggable-aws-types.json";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { at, get, read, root, stringMapOf, unknownKeysOf } from "../values";

/** Tags every taggable AWS resource must carry (the environment's owner, cost center and name). */
export const REQUIRED_TAGS = ["owner", "cost-center", "environment"] as const;
const TAGGABLE = new Set<string>(taggable.types);

/** LLM-TAG-001: required tags on every taggable resource. */
export const requiredTags: Rule = {
  id: "LLM-TAG-001",
  severity: "error",
  title: "Taggable AWS resources carry owner, cost-center and environment tags",
  rationale: "GPU spend is allocated by cost-center and environment tags; an untagged p4d node is a five-figure monthly line nobody owns.",
  recommendedAction: "Set the tags in the AWS provider's default_tags (the cluster stack does, from the environment file's tags), or on the resource.",
  appliesTo: ["*"],
  check(resource, context) {
    if (!TAGGABLE.has(resource.type)) return notApplicable(`${resource.type} takes no tags`);
    let effective: Record<string, string>;
    if (context.source === "plan") {
      // The plan's tags_all is the provider's merge of default_tags and the resource's tags.
      const all = at(root(resource), "tags_all");
      const map = stringMapOf(read(all));
      if (map === "unknown") return unknownAtPlanTime("tags_all");
      const unknownKeys = [...(map?.unknownKeys ?? []), ...unknownKeysOf(all)];
      const missingUnknown = REQUIRED_TAGS.filter((t) => unknownKeys.includes(t));
      if (missingUnknown.length > 0) return unknownAtPlanTime(`tags_all ${missingUnknown.join(", ")}`);
      effective = map?.map ?? {};
    } else {
      const own = stringMapOf(get(resource, "tags"));
      if (own === "unknown") return unknownAtPlanTime("tags");
      effective = { ...(context.providerDefaultTags ?? {}), ...(own?.map ?? {}) };
      const unknownOwn = REQUIRED_TAGS.filter((t) => own?.unknownKeys.includes(t));
      if (unknownOwn.length > 0) return unknownAtPlanTime(`tags ${unknownOwn.join(", ")}`);
    }
    const missing = REQUIRED_TAGS.filter((t) => !effective[t]?.trim());
    if (missing.length > 0) return nonCompliant(`missing tag${missing.length > 1 ? "s" : ""} ${missing.join(", ")}`);
    if (effective.environment !== context.environment) {
      return nonCompliant(`tag environment = "${effective.environment}" but the stack belongs to environment "${context.environment}"`);
    }
    return compliant(`tagged owner=${effective.owner}, cost-center=${effective["cost-center"]}, environment=${effective.environment}`);
  },
};
