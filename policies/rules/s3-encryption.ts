import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { at, items, read, root, stringOf } from "../values";

const ALGORITHMS = ["aws:kms", "aws:kms:dsse", "AES256"];

/** LLM-S3-002: buckets have default server-side encryption configured. */
export const s3Encryption: Rule = {
  id: "LLM-S3-002",
  severity: "error",
  title: "S3 buckets are encrypted",
  rationale: "An explicit default encryption (KMS for model weights) makes the key, its rotation and who may decrypt part of the reviewed configuration.",
  recommendedAction: "Add an aws_s3_bucket_server_side_encryption_configuration for the bucket with sse_algorithm aws:kms and a customer-managed key.",
  appliesTo: ["aws_s3_bucket"],
  check(resource, context) {
    const configs = context.referencing(resource, "aws_s3_bucket_server_side_encryption_configuration", "bucket");
    const inline = at(root(resource), "server_side_encryption_configuration");
    const candidates = [
      ...configs.map((c) => ({ where: c.address, rules: at(root(c), "rule") })),
      ...(read(inline).state === "known" ? [{ where: "server_side_encryption_configuration", rules: at(inline, "rule") }] : []),
    ];
    if (candidates.length === 0) return nonCompliant("no aws_s3_bucket_server_side_encryption_configuration refers to this bucket");
    for (const c of candidates) {
      if (read(c.rules).state === "unknown") return unknownAtPlanTime(`${c.where} rule`);
      for (const r of items(c.rules)) {
        const algorithm = stringOf(read(at(r, "apply_server_side_encryption_by_default", "sse_algorithm")));
        if (algorithm === "unknown") return unknownAtPlanTime(`${c.where} sse_algorithm`);
        if (algorithm && ALGORITHMS.includes(algorithm)) return compliant(`default encryption ${algorithm} (${c.where})`);
      }
    }
    return nonCompliant(`no default encryption rule with sse_algorithm ${ALGORITHMS.join(" / ")} (${candidates.map((c) => c.where).join(", ")})`);
  },
};
