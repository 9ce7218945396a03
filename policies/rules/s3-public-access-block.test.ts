import { plannedResource, runRule, synthResource } from "../testing";
import { s3PublicAccessBlock as rule } from "./s3-public-access-block";

const bucket = synthResource("aws_s3_bucket", { bucket: "models" }, "models");
const block = (overrides: Record<string, boolean> = {}) =>
  synthResource("aws_s3_bucket_public_access_block", { bucket: "${aws_s3_bucket.models.id}", block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true, ...overrides }, "pab");

describe(rule.id, () => {
  it("passes a bucket with all four flags on", () => {
    expect(runRule(rule, bucket, [block()])).toEqual({ status: "compliant", message: "public access blocked by aws_s3_bucket_public_access_block.pab" });
  });

  it("fails a block that leaves a flag off", () => {
    expect(runRule(rule, bucket, [block({ restrict_public_buckets: false })]).message).toBe("aws_s3_bucket_public_access_block.pab leaves restrict_public_buckets off");
  });

  it("fails a bucket with no block (a block for another bucket does not count)", () => {
    const other = synthResource("aws_s3_bucket_public_access_block", { bucket: "${aws_s3_bucket.logs.id}" }, "other");
    expect(runRule(rule, bucket, [other]).message).toBe("no aws_s3_bucket_public_access_block refers to this bucket");
  });

  it("links plan resources through configuration references", () => {
    const b = plannedResource("aws_s3_bucket", {}, { id: true }, "models");
    const pab = plannedResource("aws_s3_bucket_public_access_block", { block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true }, { bucket: true }, "pab", { bucket: ["aws_s3_bucket.models.id", "aws_s3_bucket.models"] });
    expect(runRule(rule, b, [pab]).status).toBe("compliant");
  });
});
