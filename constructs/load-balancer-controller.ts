/**
 * The AWS Load Balancer Controller: turns the gateway's Ingress (class `alb`) into an ALB. The chart creates the
 * IngressClass `alb` and its IngressClassParams; the controller's IAM role is bound to its service account by pod
 * identity in the cluster layer (constructs/load-balancer-controller-identity.ts). Region and VPC are given, so the
 * controller never needs the instance metadata service. The Service mutating webhook is off: the platform creates
 * no Service of type LoadBalancer, and the webhook would make every Service creation wait for the controller.
 */
import { Construct } from "constructs";
import { NODE_LABELS } from "./node-labels";
import { LOAD_BALANCER_CONTROLLER_IDENTITY } from "./load-balancer-controller-identity";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { PlatformConfigError } from "./private/platform-errors";
import type { ITerraformDependable } from "cdktf";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** The IngressClass the controller serves (the gateway's Ingress uses it). */
export const ALB_INGRESS_CLASS = "alb";

/** Props of LoadBalancerController. */
export interface LoadBalancerControllerProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** EKS cluster name (token). */
  readonly clusterName: string;
  /** AWS region. */
  readonly region: string;
  /** VPC of the cluster (token); required, so the controller does not ask the instance metadata service. */
  readonly vpcId: string | undefined;
  /** Export metrics with a ServiceMonitor (needs the Prometheus Operator CRDs). @default true */
  readonly serviceMonitor?: boolean;
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The chart sets none; sized from the chart's commented example (100m / 128Mi), with memory headroom. */
const CONTROLLER_RESOURCES: ResourcesValues = { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } };

/** The controller's release in kube-system. */
export class LoadBalancerController extends Construct {
  readonly release: HelmRelease;
  readonly ingressClass = ALB_INGRESS_CLASS;

  constructor(scope: Construct, id: string, props: LoadBalancerControllerProps) {
    super(scope, id);
    if (!props.vpcId) {
      throw new PlatformConfigError(
        { environment: props.environment, subject: "aws-load-balancer-controller", path: "cluster.vpcId" },
        "the cluster outputs carry no VPC id; the controller needs it (without it, it would ask the instance metadata service, which pods cannot reach)",
      );
    }
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: "aws-load-balancer-controller",
      namespace: LOAD_BALANCER_CONTROLLER_IDENTITY.namespace,
      chart: UPSTREAM_CHARTS.awsLoadBalancerController,
      dependsOn: props.dependsOn,
      values: {
        clusterName: props.clusterName,
        region: props.region,
        vpcId: props.vpcId,
        serviceAccount: { create: true, name: LOAD_BALANCER_CONTROLLER_IDENTITY.serviceAccount },
        ingressClass: ALB_INGRESS_CLASS,
        createIngressClassResource: true,
        enableServiceMutatorWebhook: false,
        replicaCount: 2,
        resources: CONTROLLER_RESOURCES,
        nodeSelector: { [NODE_LABELS.role]: "system" },
        podDisruptionBudget: { maxUnavailable: 1 },
        serviceMonitor: { enabled: props.serviceMonitor ?? true },
      },
      // The chart's Deployment keeps Kubernetes' default rolling update (25 % surge: one extra pod of two).
      workloads: [
        { name: "aws-load-balancer-controller", kind: "Deployment", replicas: 2, surge: 1, requests: requestsOf(CONTROLLER_RESOURCES), nodeSelector: { [NODE_LABELS.role]: "system" } },
      ],
    });
  }
}
