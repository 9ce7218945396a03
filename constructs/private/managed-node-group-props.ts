import type { ITerraformDependable } from "cdktf";

/** What every EKS managed node group of the platform is given, whatever runs on it. */
export interface ManagedNodeGroupProps {
  /** Node group name (key in the environment's nodeGroups), DNS-safe. */
  readonly name: string;
  /** Cluster the group joins (token). */
  readonly clusterName: string;
  /** Cluster name as a plain string, for resource name prefixes. */
  readonly namePrefix: string;
  /** Node IAM role ARN. */
  readonly nodeRoleArn: string;
  /** Private subnets the nodes go into. */
  readonly subnetIds: readonly string[];
  /** Minimum nodes. */
  readonly minSize: number;
  /** Nodes the group starts with. */
  readonly desiredSize: number;
  /** Maximum nodes. */
  readonly maxSize: number;
  /** Tags for instances and volumes. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** What must exist before nodes launch (the CNI add-on). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}
