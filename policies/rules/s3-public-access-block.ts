import { compliant, nonCompliant, unknownAtPlanTime, type PolicyResource, type Rule } from "../types";
import { boolOf, get } from "../values";

const FLAGS = ["block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets"] as const;

/** The flags of a public access block that are not true; "unknown" when any is decided at apply time. */
function openFlags(block: PolicyResource): string[] | "unknown" {
  const open: string[] = [];
  for (const f of FLAGS) {
    const v = boolOf(get(block, f));
    if (v === "unknown") return "unknown";
    if (v !== true) open.push(f);
  }
  return open;
}

/** LLM-S3-001: buckets block public access. */
export const s3PublicAccessBlock: Rule = {
  id: "LLM-S3-001",
  severity: "error",
  title: "S3 buckets block public access",
  rationale: "Model weights and documents are licensed or confidential; one public ACL or bucket policy statement would publish them.",
  recommendedAction: "Add an aws_s3_bucket_public_access_block for the bucket with all four flags true (or an account-level aws_s3_account_public_access_block).",
  appliesTo: ["aws_s3_bucket"],
  check(resource, context) {
    for (const account of context.ofType("aws_s3_account_public_access_block")) {
      const open = openFlags(account);
      if (open !== "unknown" && open.length === 0) return compliant(`blocked account-wide by ${account.address}`);
    }
    const blocks = context.referencing(resource, "aws_s3_bucket_public_access_block", "bucket");
    if (blocks.length === 0) return nonCompliant("no aws_s3_bucket_public_access_block refers to this bucket");
    for (const block of blocks) {
      const open = openFlags(block);
      if (open === "unknown") return unknownAtPlanTime(`${block.address} flags`);
      if (open.length > 0) return nonCompliant(`${block.address} leaves ${open.join(", ")} off`);
    }
    return compliant(`public access blocked by ${blocks[0]!.address}`);
  },
};
