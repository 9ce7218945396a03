/**
 * The AWS Load Balancer Controller's IAM role, bound by EKS Pod Identity to its service account in kube-system (as
 * the project's other workload roles are). The permissions are the controller's own policy for the pinned chart
 * version (constructs/data/aws-load-balancer-controller-iam-policy.json, with its upstream source), in the
 * environment's partition. The release itself is in the platform layer: constructs/load-balancer-controller.ts.
 */
import { Construct } from "constructs";
import policy from "./data/aws-load-balancer-controller-iam-policy.json";
import type { PolicyStatement } from "./private/iam";
import { WorkloadIdentity } from "./workload-identity";

/** Namespace and service account the controller runs as (the chart creates the service account). */
export const LOAD_BALANCER_CONTROLLER_IDENTITY = { namespace: "kube-system", serviceAccount: "aws-load-balancer-controller" } as const;

/** Props of LoadBalancerControllerIdentity. */
export interface LoadBalancerControllerIdentityProps {
  /** Cluster the association belongs to (token). */
  readonly clusterName: string;
  /** IAM role name, unique in the account. */
  readonly roleName: string;
  /** AWS account id, for the trust condition. */
  readonly accountId: string;
  /** AWS partition for ARNs. @default "aws" */
  readonly partition?: string;
}

/** The controller's policy statements with ARNs in the given partition. */
export function loadBalancerControllerStatements(partition: string): PolicyStatement[] {
  const text = JSON.stringify(policy.Statement).replaceAll('"arn:aws:', `"arn:${partition}:`);
  return JSON.parse(text) as PolicyStatement[];
}

/** The controller's pod identity. */
export class LoadBalancerControllerIdentity extends Construct {
  readonly identity: WorkloadIdentity;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerIdentityProps) {
    super(scope, id);
    this.identity = new WorkloadIdentity(this, "identity", {
      clusterName: props.clusterName,
      roleName: props.roleName,
      ...LOAD_BALANCER_CONTROLLER_IDENTITY,
      accountId: props.accountId,
      description: "AWS Load Balancer Controller: ALBs and NLBs for Ingresses and Services",
    });
    this.identity.addPolicy("aws-load-balancer-controller", loadBalancerControllerStatements(props.partition ?? "aws"));
  }
}
