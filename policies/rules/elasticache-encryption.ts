import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { boolOf, get, stringListOf, stringOf } from "../values";

/** LLM-CACHE-001: ElastiCache encrypted at rest and in transit, with AUTH. */
export const elasticacheEncryption: Rule = {
  id: "LLM-CACHE-001",
  severity: "error",
  title: "ElastiCache is encrypted at rest and in transit, with AUTH",
  rationale: "Redis holds cached completions (prompts and answers) and rate-limit state; without TLS and AUTH anything in the VPC can read or poison it.",
  recommendedAction: "Set at_rest_encryption_enabled = true, transit_encryption_enabled = true (mode required) and an auth_token from a generated secret (or RBAC user_group_ids).",
  appliesTo: ["aws_elasticache_replication_group"],
  check(resource) {
    const problems: string[] = [];
    const unknown: string[] = [];
    for (const attr of ["at_rest_encryption_enabled", "transit_encryption_enabled"]) {
      const v = boolOf(get(resource, attr));
      if (v === "unknown") unknown.push(attr);
      else if (v !== true) problems.push(`${attr} is not true`);
    }
    const mode = stringOf(get(resource, "transit_encryption_mode"));
    if (mode === "preferred") problems.push("transit_encryption_mode is \"preferred\" (plaintext clients still accepted)");
    // The token's value is never read or printed: only whether the configuration sets one.
    const token = get(resource, "auth_token");
    const groups = stringListOf(get(resource, "user_group_ids"));
    const hasGroups = groups === "unknown" || (groups !== undefined && groups.values.length + groups.unknownElements > 0);
    if (token.state === "absent" && !hasGroups) problems.push("neither auth_token nor user_group_ids is set (no AUTH)");
    if (problems.length > 0) return nonCompliant(problems.join("; "));
    if (unknown.length > 0) return unknownAtPlanTime(unknown.join(", "));
    return compliant("encrypted at rest and in transit, AUTH configured");
  },
};
