/**
 * A Kubernetes service account bound to an IAM role through EKS Pod Identity: the role trusts
 * pods.eks.amazonaws.com, and an association ties it to one namespace/service account of one cluster.
 * Capabilities are granted on the role by the owners of the resources (e.g. ModelStore.grantRead).
 */
import { Construct } from "constructs";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import type { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { policyDocument, type PolicyStatement } from "./private/iam";
import { PodIdentityRole } from "./private/pod-identity-role";

/** Props of WorkloadIdentity. */
export interface WorkloadIdentityProps {
  /** Cluster the association belongs to (token, so it waits for the cluster). */
  readonly clusterName: string;
  /** IAM role name, unique in the account: derive it from the cluster name. */
  readonly roleName: string;
  /** Kubernetes namespace of the service account. */
  readonly namespace: string;
  /** Kubernetes service account name. */
  readonly serviceAccount: string;
  /** AWS account id, for the trust condition. */
  readonly accountId: string;
  /** What the identity is for. */
  readonly description: string;
}

const K8S_NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/** An IAM role that pods of one service account assume. */
export class WorkloadIdentity extends Construct {
  /** The IAM role. */
  readonly role: IamRole;
  /** Role ARN (token). */
  readonly roleArn: string;
  /** Kubernetes namespace. */
  readonly namespace: string;
  /** Kubernetes service account. */
  readonly serviceAccount: string;
  private policies = 0;

  constructor(scope: Construct, id: string, props: WorkloadIdentityProps) {
    super(scope, id);
    for (const [name, value] of [["namespace", props.namespace], ["serviceAccount", props.serviceAccount]] as const) {
      if (!K8S_NAME.test(value)) throw new Error(`${name} (${value}) must be a Kubernetes name: lowercase letters, digits and '-', at most 63 characters`);
    }
    const { role } = new PodIdentityRole(this, "role", {
      roleName: props.roleName,
      accountId: props.accountId,
      description: props.description,
    });
    this.role = role;
    this.roleArn = role.arn;
    this.namespace = props.namespace;
    this.serviceAccount = props.serviceAccount;
    new EksPodIdentityAssociation(this, "association", {
      clusterName: props.clusterName,
      namespace: props.namespace,
      serviceAccount: props.serviceAccount,
      roleArn: role.arn,
    });
  }

  /** Adds an inline policy to the role. */
  addPolicy(name: string, statements: readonly PolicyStatement[]): void {
    if (statements.length === 0) throw new Error(`statements (0) of policy ${name} must not be empty`);
    new IamRolePolicy(this, `policy-${this.policies++}`, { role: this.role.name, name, policy: policyDocument(statements) });
  }

  /** The identity as the platform layer sees it. */
  get identity(): { readonly namespace: string; readonly serviceAccount: string; readonly roleArn: string } {
    return { namespace: this.namespace, serviceAccount: this.serviceAccount, roleArn: this.roleArn };
  }
}
