import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { boolOf, get, stringOf } from "../values";

/** LLM-S3-003: buckets are versioned. */
export const s3Versioning: Rule = {
  id: "LLM-S3-003",
  severity: "error",
  title: "S3 buckets are versioned",
  rationale: "Versioning is what brings back model weights or documents after an overwrite or a bad sync --delete.",
  recommendedAction: "Add an aws_s3_bucket_versioning for the bucket with versioning_configuration { status = \"Enabled\" }.",
  appliesTo: ["aws_s3_bucket"],
  check(resource, context) {
    const versionings = context.referencing(resource, "aws_s3_bucket_versioning", "bucket");
    for (const v of versionings) {
      const status = stringOf(get(v, "versioning_configuration", "status"));
      if (status === "unknown") return unknownAtPlanTime(`${v.address} versioning_configuration.status`);
      if (status === "Enabled") return compliant(`versioning Enabled (${v.address})`);
      return nonCompliant(`${v.address} sets versioning_configuration.status to ${status ?? "nothing"}`);
    }
    const inline = boolOf(get(resource, "versioning", "enabled"));
    if (inline === true && resource.values.versioning !== undefined) return compliant("versioning enabled inline");
    return nonCompliant("no aws_s3_bucket_versioning with status Enabled refers to this bucket");
  },
};
