/**
 * An IAM role that EKS Pod Identity may hand to pods: trusted by pods.eks.amazonaws.com (AssumeRole and
 * TagSession, as Pod Identity requires), limited to the environment's own account.
 */
import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { policyDocument } from "./iam";

/** Props of PodIdentityRole. */
export interface PodIdentityRoleProps {
  /** IAM role name, unique in the account. */
  readonly roleName: string;
  /** Account whose EKS clusters may assume the role (aws:SourceAccount). */
  readonly accountId: string;
  /** What the role is for, shown in the IAM console. */
  readonly description: string;
  /** ARNs of managed policies to attach. @default [] */
  readonly managedPolicyArns?: readonly string[];
}

/** An IAM role for EKS Pod Identity. */
export class PodIdentityRole extends Construct {
  /** The role. */
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: PodIdentityRoleProps) {
    super(scope, id);
    if (props.roleName.length > 64) {
      throw new Error(`roleName (${props.roleName}) is ${props.roleName.length} characters; IAM allows at most 64`);
    }
    this.role = new IamRole(this, "role", {
      name: props.roleName,
      description: props.description,
      assumeRolePolicy: policyDocument([
        {
          Effect: "Allow",
          Principal: { Service: "pods.eks.amazonaws.com" },
          Action: ["sts:AssumeRole", "sts:TagSession"],
          Condition: { StringEquals: { "aws:SourceAccount": props.accountId } },
        },
      ]),
    });
    (props.managedPolicyArns ?? []).forEach((policyArn, i) => {
      new IamRolePolicyAttachment(this, `policy-${i}`, { role: this.role.name, policyArn });
    });
  }
}
