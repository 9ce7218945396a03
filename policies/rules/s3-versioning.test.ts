import { runRule, synthResource } from "../testing";
import { s3Versioning as rule } from "./s3-versioning";

const bucket = synthResource("aws_s3_bucket", { bucket: "models" }, "models");
const versioning = (status: string) => synthResource("aws_s3_bucket_versioning", { bucket: "${aws_s3_bucket.models.id}", versioning_configuration: { status } }, "v");

describe(rule.id, () => {
  it("passes Enabled", () => {
    expect(runRule(rule, bucket, [versioning("Enabled")]).status).toBe("compliant");
  });

  it("fails Suspended and missing versioning", () => {
    expect(runRule(rule, bucket, [versioning("Suspended")]).message).toBe("aws_s3_bucket_versioning.v sets versioning_configuration.status to Suspended");
    expect(runRule(rule, bucket).message).toBe("no aws_s3_bucket_versioning with status Enabled refers to this bucket");
  });
});
