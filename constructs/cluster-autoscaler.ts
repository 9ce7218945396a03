/**
 * The Cluster Autoscaler (kubernetes/autoscaler's chart) for the EKS managed node groups: it discovers the groups'
 * Auto Scaling groups by their tags, adds nodes when pods are Pending (KEDA's extra vLLM replicas, a TEI rollout)
 * and removes idle ones, always between each group's min and max. Groups at zero nodes scale up from the
 * node-template tags the node groups carry (labels, taints, GPUs). Its AWS credentials come from EKS Pod Identity
 * (the cluster stack binds kube-system/cluster-autoscaler to a role with the policy below). Chosen over Karpenter:
 * docs/decisions/0080-node-autoscaling-cluster-autoscaler.md.
 */
import { Construct } from "constructs";
import type { PolicyStatement } from "./private/iam";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { PlatformConfigError } from "./private/platform-errors";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { NODE_LABELS } from "./node-labels";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/**
 * The chart, pinned: kubernetes/autoscaler@cluster-autoscaler-chart-9.59.0:cluster-autoscaler/charts/cluster-autoscaler/Chart.yaml
 * (version 9.59.0), served from the repository its README adds (https://kubernetes.github.io/autoscaler).
 */
export const CLUSTER_AUTOSCALER_CHART = UPSTREAM_CHARTS.clusterAutoscaler;

/**
 * Image tag per Kubernetes minor version: the autoscaler's minor must match the cluster's (the chart's own default,
 * v1.35.0, is for 1.35). Latest patch of each release branch, from the repository's cluster-autoscaler-1.x.y tags.
 */
export const CLUSTER_AUTOSCALER_IMAGE_TAGS: Readonly<Record<string, string>> = {
  "1.31": "v1.31.5",
  "1.32": "v1.32.7",
  "1.33": "v1.33.6",
  "1.34": "v1.34.5",
  "1.35": "v1.35.2",
};

/** Namespace and service account the autoscaler runs as; the cluster stack binds its IAM role to them. */
export const CLUSTER_AUTOSCALER_IDENTITY = { namespace: "kube-system", serviceAccount: "cluster-autoscaler" } as const;

/**
 * The IAM policy of the autoscaler (kubernetes/autoscaler@cluster-autoscaler-1.33.6:cluster-autoscaler/cloudprovider/aws/README.md,
 * "Full Cluster Autoscaler Features Policy"), with the two writing actions limited to this cluster's groups.
 */
export function clusterAutoscalerPolicy(clusterName: string): PolicyStatement[] {
  return [
    {
      Effect: "Allow",
      Action: [
        "autoscaling:DescribeAutoScalingGroups",
        "autoscaling:DescribeAutoScalingInstances",
        "autoscaling:DescribeLaunchConfigurations",
        "autoscaling:DescribeScalingActivities",
        "ec2:DescribeImages",
        "ec2:DescribeInstanceTypes",
        "ec2:DescribeLaunchTemplateVersions",
        "ec2:GetInstanceTypesFromInstanceRequirements",
        "eks:DescribeNodegroup",
      ],
      Resource: "*",
    },
    {
      Effect: "Allow",
      Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
      Resource: "*",
      Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
    },
  ];
}

/** Requests and limits of the autoscaler's pod. */
const RESOURCES: ResourcesValues = { requests: { cpu: "100m", memory: "300Mi" }, limits: { memory: "600Mi" } };

/** Props of ClusterAutoscaler. */
export interface ClusterAutoscalerProps extends PlatformReleaseProps {
  /** EKS cluster name (may be a token): the auto-discovery tags carry it. */
  readonly clusterName: string;
  /** AWS region of the cluster. */
  readonly region: string;
  /** Kubernetes minor version of the cluster, which picks the image. */
  readonly kubernetesVersion: string;
}

/** The Cluster Autoscaler release. */
export class ClusterAutoscaler extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: ClusterAutoscalerProps) {
    super(scope, id);
    const tag = CLUSTER_AUTOSCALER_IMAGE_TAGS[props.kubernetesVersion];
    if (!tag) {
      throw new PlatformConfigError(
        { environment: props.environment, subject: `release "cluster-autoscaler" (chart ${CLUSTER_AUTOSCALER_CHART.chart})`, path: "cluster.kubernetesVersion" },
        `expected a Kubernetes version the autoscaler images are listed for (${Object.keys(CLUSTER_AUTOSCALER_IMAGE_TAGS).join(", ")}), got "${props.kubernetesVersion}"`,
      );
    }
    const nodeSelector = { [NODE_LABELS.role]: "system" };
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: "cluster-autoscaler",
      namespace: props.namespace,
      chart: CLUSTER_AUTOSCALER_CHART,
      dependsOn: props.dependsOn,
      values: {
        fullnameOverride: "cluster-autoscaler",
        cloudProvider: "aws",
        awsRegion: props.region,
        autoDiscovery: { clusterName: props.clusterName },
        image: { tag },
        rbac: { serviceAccount: { create: true, name: CLUSTER_AUTOSCALER_IDENTITY.serviceAccount } },
        extraArgs: {
          // The L40S group's spot types (g6e.12xlarge, g6e.24xlarge) are alike for the pods; spread them.
          "balance-similar-node-groups": true,
          expander: "least-waste",
          // vLLM keeps weights and TEI its model cache in emptyDir: those nodes may still be scaled down.
          "skip-nodes-with-local-storage": false,
        },
        nodeSelector,
        resources: RESOURCES,
        serviceMonitor: { enabled: true, namespace: props.namespace, interval: "30s", selector: {} },
      },
      // The chart sets no updateStrategy: Kubernetes' default RollingUpdate, maxSurge 25 % (1 pod).
      workloads: [{ name: "cluster-autoscaler", kind: "Deployment", replicas: 1, surge: 1, requests: requestsOf(RESOURCES), nodeSelector }],
    });
  }
}
