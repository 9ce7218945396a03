/**
 * `<env>-cluster`: what AWS owns. (Skeleton: the network, EKS, node groups, model store and Redis constructs
 * are added by the foundation work.)
 */
import { Construct } from "constructs";
import { S3Backend, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { resourceTags, type EnvironmentConfig } from "./environment-config";

/** Props of the cluster stack. */
export interface ClusterStackProps {
  /** The validated environment. */
  readonly env: EnvironmentConfig;
}

/** The AWS layer of one environment. */
export class ClusterStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { env } = props;
    new S3Backend(this, {
      bucket: env.stateBackend.bucket,
      key: `${env.stateBackend.keyPrefix}/${id}.tfstate`,
      region: env.stateBackend.region,
      encrypt: true,
      dynamodbTable: env.stateBackend.dynamodbTable,
    });
    // cdktf 0.21's S3Backend predates Terraform's S3-native locking; set it on the backend block directly.
    if (env.stateBackend.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
    new AwsProvider(this, "aws", {
      region: env.aws.region,
      allowedAccountIds: [env.aws.accountId],
      defaultTags: [{ tags: resourceTags(env) }],
    });
  }
}
