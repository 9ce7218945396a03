import { plannedResource, runRule, synthResource } from "../testing";
import { s3Encryption as rule } from "./s3-encryption";

const bucket = synthResource("aws_s3_bucket", { bucket: "models" }, "models");
const sse = (algorithm: string) =>
  synthResource("aws_s3_bucket_server_side_encryption_configuration", { bucket: "${aws_s3_bucket.models.id}", rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: algorithm } }] }, "sse");

describe(rule.id, () => {
  it("passes KMS default encryption", () => {
    expect(runRule(rule, bucket, [sse("aws:kms")]).status).toBe("compliant");
  });

  it("fails an unknown algorithm and a bucket with no configuration", () => {
    expect(runRule(rule, bucket, [sse("none")]).status).toBe("non-compliant");
    expect(runRule(rule, bucket).message).toBe("no aws_s3_bucket_server_side_encryption_configuration refers to this bucket");
  });

  it("matches a plan's known bucket name", () => {
    const b = plannedResource("aws_s3_bucket", { bucket: "llm-prod-models" }, {}, "models");
    const c = plannedResource("aws_s3_bucket_server_side_encryption_configuration", { bucket: "llm-prod-models", rule: [{ apply_server_side_encryption_by_default: [{ sse_algorithm: "AES256" }] }] }, {}, "sse");
    expect(runRule(rule, b, [c]).message).toBe("default encryption AES256 (aws_s3_bucket_server_side_encryption_configuration.sse)");
  });
});
