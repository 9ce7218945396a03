import { compliant, nonCompliant, notApplicable, type Rule } from "../types";
import { boolOf, get, stringOf } from "../values";

/** LLM-STATE-001: state in an encrypted S3 backend with locking. */
export const stateBackend: Rule = {
  id: "LLM-STATE-001",
  severity: "error",
  title: "State backend is encrypted, with locking",
  rationale: "State holds every resource's attributes, including generated secrets; two concurrent applies without a lock corrupt it.",
  recommendedAction: "Use the S3 backend with encrypt = true and use_lockfile = true (or a dynamodb_table).",
  appliesTo: ["terraform_backend"],
  check(resource) {
    if (resource.name === "local") return nonCompliant("state is local: not shared, not locked across machines, not encrypted");
    if (resource.name !== "s3") return notApplicable(`backend ${resource.name} is not checked`);
    const problems: string[] = [];
    if (boolOf(get(resource, "encrypt")) !== true) problems.push("encrypt is not true");
    const lockfile = boolOf(get(resource, "use_lockfile")) === true;
    const table = stringOf(get(resource, "dynamodb_table"));
    if (!lockfile && !table) problems.push("no locking (use_lockfile or dynamodb_table)");
    if (problems.length > 0) return nonCompliant(problems.join("; "));
    return compliant(`S3 backend, encrypted, locked with ${lockfile ? "a lock file" : `DynamoDB table ${String(table)}`}`);
  },
};
