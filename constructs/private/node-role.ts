/** The IAM role EKS managed nodes run with (shared by every node group of a cluster). */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { managedPolicyArn, serviceTrustPolicy } from "./iam";

/** Props of NodeRole. */
export interface NodeRoleProps {
  /** IAM role name, unique in the account. */
  readonly roleName: string;
  /** AWS partition for managed policy ARNs. */
  readonly partition: string;
}

/**
 * Managed policies of an EKS worker node: join the cluster, pull images from ECR, manage pod networking
 * (the VPC CNI runs with the node's role), and Systems Manager for shell access without SSH keys.
 */
export const NODE_MANAGED_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEC2ContainerRegistryPullOnly",
  "AmazonEKS_CNI_Policy",
  "AmazonSSMManagedInstanceCore",
] as const;

/** The node IAM role. */
export class NodeRole extends Construct {
  /** The role. */
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: NodeRoleProps) {
    super(scope, id);
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: "EKS managed node groups",
      assumeRolePolicy: serviceTrustPolicy("ec2.amazonaws.com"),
    });
    for (const name of NODE_MANAGED_POLICIES) {
      new IamRolePolicyAttachment(this, name, { role: this.role.name, policyArn: managedPolicyArn(props.partition, name) });
    }
  }
}
