/**
 * The S3 bucket holding model weights (synced from Hugging Face once, read by every vLLM pod at start-up):
 * encrypted with its own rotating KMS key, versioned, public access blocked, TLS-only, owner-enforced.
 * Readers are granted with `grantRead(role)`.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { S3BucketLifecycleConfiguration } from "@cdktf/provider-aws/lib/s3-bucket-lifecycle-configuration";
import { S3BucketOwnershipControls } from "@cdktf/provider-aws/lib/s3-bucket-ownership-controls";
import { S3BucketPolicy } from "@cdktf/provider-aws/lib/s3-bucket-policy";
import { S3BucketPublicAccessBlock } from "@cdktf/provider-aws/lib/s3-bucket-public-access-block";
import { S3BucketServerSideEncryptionConfigurationA } from "@cdktf/provider-aws/lib/s3-bucket-server-side-encryption-configuration";
import { S3BucketVersioningA } from "@cdktf/provider-aws/lib/s3-bucket-versioning";
import { policyDocument } from "./private/iam";

/** Props of ModelStore. */
export interface ModelStoreProps {
  /** Bucket name, globally unique: derive it from environment, account and region. */
  readonly bucketName: string;
  /** KMS alias name for the bucket key, without "alias/". */
  readonly keyAlias: string;
  /** Days a replaced or deleted weight file is kept before it expires. @default 30 */
  readonly noncurrentVersionDays?: number;
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The model-weight bucket. */
export class ModelStore extends Construct {
  /** The bucket. */
  readonly bucket: S3Bucket;
  /** Bucket name (token). */
  readonly bucketName: string;
  /** KMS key the bucket is encrypted with. */
  readonly key: KmsKey;
  private readonly granted = new Set<string>();

  constructor(scope: Construct, id: string, props: ModelStoreProps) {
    super(scope, id);
    if (!BUCKET_NAME.test(props.bucketName)) {
      throw new Error(`bucketName (${props.bucketName}) must be 3 to 63 lowercase letters, digits and '-', starting and ending with a letter or digit`);
    }
    const noncurrentDays = props.noncurrentVersionDays ?? 30;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) {
      throw new Error(`noncurrentVersionDays (${noncurrentDays}) must be a positive integer`);
    }

    this.key = new KmsKey(this, "key", {
      description: `Model weights in ${props.bucketName}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "key-alias", { name: `alias/${props.keyAlias}`, targetKeyId: this.key.keyId });

    this.bucket = new S3Bucket(this, "bucket", { bucket: props.bucketName, forceDestroy: false });
    this.bucketName = this.bucket.bucket;
    new S3BucketOwnershipControls(this, "ownership", {
      bucket: this.bucket.id,
      rule: { objectOwnership: "BucketOwnerEnforced" },
    });
    new S3BucketPublicAccessBlock(this, "public-access-block", {
      bucket: this.bucket.id,
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    new S3BucketVersioningA(this, "versioning", {
      bucket: this.bucket.id,
      versioningConfiguration: { status: "Enabled" },
    });
    new S3BucketServerSideEncryptionConfigurationA(this, "encryption", {
      bucket: this.bucket.id,
      rule: [
        {
          applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: this.key.arn },
          bucketKeyEnabled: true, // one KMS call per object instead of per request: weights are read often
        },
      ],
    });
    new S3BucketLifecycleConfiguration(this, "lifecycle", {
      bucket: this.bucket.id,
      rule: [
        {
          id: "expire-replaced-weights",
          status: "Enabled",
          filter: [{ prefix: "" }],
          noncurrentVersionExpiration: [{ noncurrentDays }],
          abortIncompleteMultipartUpload: [{ daysAfterInitiation: 7 }],
        },
      ],
    });
    new S3BucketPolicy(this, "policy", {
      bucket: this.bucket.id,
      policy: policyDocument([
        {
          Sid: "DenyInsecureTransport",
          Effect: "Deny",
          Principal: "*",
          Action: "s3:*",
          Resource: [this.bucket.arn, `${this.bucket.arn}/*`],
          Condition: { Bool: { "aws:SecureTransport": "false" } },
        },
      ]),
    });
  }

  /** Lets a role list the bucket and read objects (and decrypt them with the bucket key). */
  grantRead(role: IamRole): void {
    const id = `read-${role.node.path.replace(/[^A-Za-z0-9-]/g, "-")}`;
    if (this.granted.has(id)) return;
    this.granted.add(id);
    new IamRolePolicy(this, id, {
      role: role.name,
      name: "model-store-read",
      policy: policyDocument([
        { Sid: "ListModels", Effect: "Allow", Action: ["s3:ListBucket", "s3:GetBucketLocation"], Resource: this.bucket.arn },
        { Sid: "ReadModels", Effect: "Allow", Action: ["s3:GetObject", "s3:GetObjectVersion"], Resource: `${this.bucket.arn}/*` },
        { Sid: "DecryptModels", Effect: "Allow", Action: ["kms:Decrypt", "kms:DescribeKey"], Resource: this.key.arn },
      ]),
    });
  }
}
