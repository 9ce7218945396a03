/**
 * `<env>-cluster`: what AWS owns for one environment. The VPC, the EKS cluster with its add-ons, the node groups
 * (a typed map: system and GPU groups), the model-weight bucket, the workload identities of the model servers and
 * the gateway, and ElastiCache Redis when the environment asks for managed Redis. Its typed `outputs` are what
 * the platform stack consumes; the Terraform outputs carry the same values for operators and scripts.
 *
 * Names: the cluster is `llm-<env>`; every account-scoped name (IAM roles, KMS aliases, log group, secret,
 * Redis) starts with it, and the globally scoped bucket adds account and region, so environments never collide.
 */
import { Construct } from "constructs";
import { S3Backend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { EksCluster } from "../constructs/eks-cluster";
import { LoadBalancerControllerIdentity } from "../constructs/load-balancer-controller-identity";
import { ManagedRedis } from "../constructs/managed-redis";
import { ModelStore } from "../constructs/model-store";
import { Network } from "../constructs/network";
import { NodeGroups } from "../constructs/node-groups";
import { WorkloadIdentity } from "../constructs/workload-identity";
import { CLUSTER_AUTOSCALER_IDENTITY, clusterAutoscalerPolicy } from "../constructs/cluster-autoscaler";
import { partitionOf } from "../constructs/private/iam";
import type { ClusterOutputs } from "./cluster-outputs";
import { resourceTags, type EnvironmentConfig } from "./environment-config";

/** Props of the cluster stack. */
export interface ClusterStackProps {
  /** The validated environment. */
  readonly env: EnvironmentConfig;
}

/** Kubernetes namespace and service account of the model servers (vLLM), which read the model bucket. */
export const MODEL_READER_IDENTITY = { namespace: "models", serviceAccount: "model-reader" } as const;
/** Kubernetes namespace and service account of the gateway. */
export const GATEWAY_IDENTITY = { namespace: "llm-gateway", serviceAccount: "llm-gateway" } as const;

/** The EKS cluster name of an environment. */
export function clusterNameOf(env: Pick<EnvironmentConfig, "name">): string {
  return `llm-${env.name}`;
}

/** The model-weight bucket name of an environment: unique per environment, account and region. */
export function modelBucketNameOf(env: Pick<EnvironmentConfig, "name" | "aws">): string {
  return `llm-${env.name}-models-${env.aws.accountId}-${env.aws.region}`;
}

/** The state key of a stack in the environment's backend. */
export function stateKeyOf(env: Pick<EnvironmentConfig, "stateBackend">, stackId: string): string {
  return `${env.stateBackend.keyPrefix}/${stackId}.tfstate`;
}

/** The AWS layer of one environment. */
export class ClusterStack extends TerraformStack {
  /** What the platform stack needs, as typed values (tokens become cross-stack references). */
  readonly outputs: ClusterOutputs;
  /** The constructs, for tests and for stacks that extend this one. */
  readonly network: Network;
  readonly eks: EksCluster;
  readonly nodeGroups: NodeGroups;
  readonly modelStore: ModelStore;
  readonly modelReader: WorkloadIdentity;
  readonly gatewayIdentity: WorkloadIdentity;
  readonly loadBalancerController: LoadBalancerControllerIdentity;
  readonly clusterAutoscalerIdentity: WorkloadIdentity;
  readonly redis?: ManagedRedis;

  constructor(scope: Construct, id: string, props: ClusterStackProps) {
    super(scope, id);
    const { env } = props;
    const name = clusterNameOf(env);
    const partition = partitionOf(env.aws.region);
    const tags = resourceTags(env);

    new S3Backend(this, {
      bucket: env.stateBackend.bucket,
      key: stateKeyOf(env, id),
      region: env.stateBackend.region,
      encrypt: true,
      dynamodbTable: env.stateBackend.dynamodbTable,
    });
    // cdktf 0.21's S3Backend predates Terraform's S3-native locking; set it on the backend block directly.
    if (env.stateBackend.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);
    new AwsProvider(this, "aws", {
      region: env.aws.region,
      allowedAccountIds: [env.aws.accountId],
      defaultTags: [{ tags }],
    });
    new RandomProvider(this, "random");

    this.network = new Network(this, "network", {
      name,
      clusterName: name,
      vpcCidr: env.network.vpcCidr,
      azCount: env.network.azCount,
      natGateways: env.network.natGateways,
      region: env.aws.region,
    });

    this.eks = new EksCluster(this, "eks", {
      clusterName: name,
      kubernetesVersion: env.cluster.kubernetesVersion,
      subnetIds: this.network.privateSubnetIds,
      endpoint: env.cluster.endpoint,
      admins: env.cluster.admins,
      logRetentionDays: env.cluster.logRetentionDays,
      accountId: env.aws.accountId,
      partition,
    });

    this.nodeGroups = new NodeGroups(this, "node-groups", {
      clusterName: this.eks.clusterName,
      namePrefix: name,
      subnetIds: this.network.privateSubnetIds,
      groups: env.nodeGroups,
      partition,
      tags,
      // Nodes need the CNI before they can become Ready; coredns and the EBS CSI driver need nodes.
      dependsOn: this.eks.bootstrapAddons,
    });
    this.eks.addComputeAddons(this.nodeGroups.systemNodeGroups);

    // Every model must fit the nodes of its group (the environment schema checks this too; the construct is the
    // last line of defence for stacks built in code).
    for (const model of env.models) {
      const group = this.nodeGroups.gpu[model.nodeGroup];
      if (!group) throw new Error(`models.${model.name}.nodeGroup (${model.nodeGroup}) must name a GPU node group`);
      group.place(model.tensorParallelSize);
    }

    this.modelStore = new ModelStore(this, "model-store", {
      bucketName: modelBucketNameOf(env),
      keyAlias: `${name}-model-store`,
    });
    this.modelReader = new WorkloadIdentity(this, "model-reader", {
      clusterName: this.eks.clusterName,
      roleName: `${name}-model-reader`,
      ...MODEL_READER_IDENTITY,
      accountId: env.aws.accountId,
      description: `vLLM model servers of ${name}: read model weights`,
    });
    this.modelStore.grantRead(this.modelReader.role);

    this.gatewayIdentity = new WorkloadIdentity(this, "gateway-identity", {
      clusterName: this.eks.clusterName,
      roleName: `${name}-gateway`,
      ...GATEWAY_IDENTITY,
      accountId: env.aws.accountId,
      description: `LLM gateway of ${name}`,
    });

    this.loadBalancerController = new LoadBalancerControllerIdentity(this, "load-balancer-controller", {
      clusterName: this.eks.clusterName,
      roleName: `${name}-aws-load-balancer-controller`,
      accountId: env.aws.accountId,
      partition,
    });
    this.clusterAutoscalerIdentity = new WorkloadIdentity(this, "cluster-autoscaler-identity", {
      clusterName: this.eks.clusterName,
      roleName: `${name}-cluster-autoscaler`,
      ...CLUSTER_AUTOSCALER_IDENTITY,
      accountId: env.aws.accountId,
      description: `Cluster Autoscaler of ${name}: scales the node groups' Auto Scaling groups`,
    });
    this.clusterAutoscalerIdentity.addPolicy("cluster-autoscaler", clusterAutoscalerPolicy(name));

    if (env.redis.mode === "managed") {
      this.redis = new ManagedRedis(this, "redis", {
        name,
        vpcId: this.network.vpcId,
        subnetIds: this.network.privateSubnetIds,
        clientSecurityGroupId: this.eks.clusterSecurityGroupId,
        nodeType: env.redis.nodeType,
        replicasPerShard: env.redis.replicasPerShard,
        engineVersion: env.redis.engineVersion,
      });
      this.gatewayIdentity.addPolicy("redis-auth-secret-read", [
        { Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: this.redis.authSecretArn },
      ]);
    }

    this.outputs = {
      clusterName: this.eks.clusterName,
      clusterEndpoint: this.eks.endpoint,
      clusterCertificateAuthorityData: this.eks.certificateAuthorityData,
      region: env.aws.region,
      modelBucketName: this.modelStore.bucketName,
      modelReader: this.modelReader.identity,
      gateway: this.gatewayIdentity.identity,
      managedRedis: this.redis
        ? { endpoint: this.redis.endpoint, port: this.redis.port, authSecretArn: this.redis.authSecretArn }
        : undefined,
      gpuScheduling: this.nodeGroups.gpuScheduling,
      vpcId: this.network.vpcId,
      clusterSecurityGroupId: this.eks.clusterSecurityGroupId,
    };
    this.addTerraformOutputs();
  }

  private addTerraformOutputs(): void {
    const out = (id: string, value: unknown, description: string) => new TerraformOutput(this, id, { value, description });
    out("cluster_name", this.outputs.clusterName, "EKS cluster name (aws eks update-kubeconfig --name <this>)");
    out("cluster_endpoint", this.outputs.clusterEndpoint, "URL of the Kubernetes API server");
    out("cluster_certificate_authority_data", this.outputs.clusterCertificateAuthorityData, "Base64-encoded CA certificate of the Kubernetes API server");
    out("cluster_security_group_id", this.outputs.clusterSecurityGroupId, "Security group EKS attaches to the control plane and the managed nodes");
    out("cluster_region", this.outputs.region, "AWS region of the cluster");
    out("vpc_id", this.outputs.vpcId, "VPC of the environment");
    out("vpc_private_subnet_ids", this.network.privateSubnetIds, "Private subnets (nodes, internal load balancers, Redis), one per AZ");
    out("vpc_public_subnet_ids", this.network.publicSubnetIds, "Public subnets (internet-facing load balancers, NAT), one per AZ");
    out("model_bucket_name", this.outputs.modelBucketName, "S3 bucket holding model weights");
    out("model_reader_role_arn", this.outputs.modelReader.roleArn, `IAM role of the model servers, bound by pod identity to ${MODEL_READER_IDENTITY.namespace}/${MODEL_READER_IDENTITY.serviceAccount}`);
    out("load_balancer_controller_role_arn", this.loadBalancerController.identity.roleArn, "IAM role of the AWS Load Balancer Controller, bound by pod identity to kube-system/aws-load-balancer-controller");
    out("gateway_role_arn", this.outputs.gateway.roleArn, `IAM role of the gateway, bound by pod identity to ${GATEWAY_IDENTITY.namespace}/${GATEWAY_IDENTITY.serviceAccount}`);
    if (this.outputs.managedRedis) {
      out("redis_endpoint", this.outputs.managedRedis.endpoint, "Primary endpoint host of the ElastiCache replication group (TLS)");
      out("redis_port", this.outputs.managedRedis.port, "Port of the ElastiCache replication group");
      out("redis_auth_secret_arn", this.outputs.managedRedis.authSecretArn, "Secrets Manager secret holding the Redis AUTH token (the value stays in AWS)");
    }
    out("gpu_node_groups", JSON.stringify(this.outputs.gpuScheduling), "Scheduling of each GPU node group (nodeSelector, tolerations, GPUs per node, capacity type), as JSON");
  }
}
