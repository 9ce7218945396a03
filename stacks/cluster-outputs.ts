/**
 * What the cluster layer hands to the platform layer. The cluster stack builds this from its constructs;
 * the platform stack takes it as a typed prop. Token-valued fields become cross-stack references
 * (cdktf wires them through remote state), so nothing is looked up by string.
 */

import type { GpuScheduling } from "../constructs/gpu-node-group";

/** Scheduling types come from the GPU node group construct that defines them. */
export type { GpuScheduling, Toleration } from "../constructs/gpu-node-group";

/** A Kubernetes service account bound to an IAM role through EKS Pod Identity. */
export interface WorkloadIdentity {
  readonly namespace: string;
  readonly serviceAccount: string;
  /** IAM role ARN (token). */
  readonly roleArn: string;
}

/** Everything the platform stack needs from the cluster stack. */
export interface ClusterOutputs {
  /** EKS cluster name (token). */
  readonly clusterName: string;
  /** EKS API endpoint URL (token). */
  readonly clusterEndpoint: string;
  /** Base64 cluster CA certificate (token). */
  readonly clusterCertificateAuthorityData: string;
  /** AWS region of the cluster, for `aws eks get-token`. */
  readonly region: string;
  /** S3 bucket holding model weights (token). */
  readonly modelBucketName: string;
  /** Identity the vLLM pods use to read the model bucket. */
  readonly modelReader: WorkloadIdentity;
  /** Identity the gateway uses (reads the Redis AUTH secret when Redis is managed). */
  readonly gateway: WorkloadIdentity;
  /** Managed Redis (ElastiCache), when the environment asks for it. */
  readonly managedRedis?: {
    /** Primary endpoint host (token). */
    readonly endpoint: string;
    readonly port: number;
    /** Secrets Manager secret holding the AUTH token (token); the value never leaves AWS. */
    readonly authSecretArn: string;
  };
  /** Scheduling of every GPU node group, by node-group name. */
  readonly gpuScheduling: Readonly<Record<string, GpuScheduling>>;
  /** VPC of the cluster (token), e.g. for the AWS Load Balancer Controller. Always set by ClusterStack. */
  readonly vpcId?: string;
  /** Security group EKS attaches to the control plane and the managed nodes (token). Always set by ClusterStack. */
  readonly clusterSecurityGroupId?: string;
}
