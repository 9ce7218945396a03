import { Testing, TerraformStack } from "cdktf";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { ModelStore } from "../../constructs/model-store";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

describe("ModelStore", () => {
  // given a model store and a role granted read, when synthesized
  const json = Testing.synthScope((scope) => {
    const store = new ModelStore(scope, "models", { bucketName: "llm-test-models-123456789012-us-east-1", keyAlias: "llm-test-model-store" });
    const role = new IamRole(scope, "reader", { name: "reader", assumeRolePolicy: "{}" });
    store.grantRead(role);
    store.grantRead(role); // granting twice adds nothing
  });
  const tf = parseStack(json);

  test("the bucket is KMS-encrypted with a rotating key, versioned and blocks public access", () => {
    expect(json).toHaveResourceWithProperties(S3Bucket, { bucket: "llm-test-models-123456789012-us-east-1", force_destroy: false });
    expect(json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
    expect(json).toHaveResourceWithProperties(S3BucketServerSideEncryptionConfigurationA, {
      rule: [{ apply_server_side_encryption_by_default: { sse_algorithm: "aws:kms", kms_master_key_id: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) }, bucket_key_enabled: true }],
    });
    expect(json).toHaveResourceWithProperties(S3BucketVersioningA, { versioning_configuration: { status: "Enabled" } });
    expect(json).toHaveResourceWithProperties(S3BucketPublicAccessBlock, {
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
  });

  test("the bucket policy denies every request without TLS", () => {
    const policy = JSON.parse(resourcesOf(tf, "aws_s3_bucket_policy")[0]!["policy"] as string);
    expect(policy.Statement).toEqual([
      expect.objectContaining({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }),
    ]);
  });

  test("grantRead lets the role list, read and decrypt, nothing more, once", () => {
    const grants = resourcesOf(tf, "aws_iam_role_policy");
    expect(grants).toHaveLength(1);
    const doc = JSON.parse(grants[0]!["policy"] as string);
    const actions = doc.Statement.flatMap((s: { Action: string[] }) => s.Action).sort();
    expect(actions).toEqual(["kms:Decrypt", "kms:DescribeKey", "s3:GetBucketLocation", "s3:GetObject", "s3:GetObjectVersion", "s3:ListBucket"]);
    expect(grants[0]!["role"]).toMatch(/^\$\{aws_iam_role\.reader\.name\}$/);
  });

  test.each([
    ["LLM-Models", "bucketName (LLM-Models) must be 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit"],
    ["x".repeat(64), `bucketName (${"x".repeat(64)}) must be 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit`],
  ])("refuses the bucket name %s", (bucketName, message) => {
    expect(() => new ModelStore(new TerraformStack(Testing.app(), "t"), "m", { bucketName, keyAlias: "k" })).toThrow(message);
  });

  test("refuses a non-positive noncurrent version expiry", () => {
    expect(() => new ModelStore(new TerraformStack(Testing.app(), "t"), "m", { bucketName: "abc", keyAlias: "k", noncurrentVersionDays: 0 })).toThrow(
      "noncurrentVersionDays (0) must be a positive integer",
    );
  });
});
