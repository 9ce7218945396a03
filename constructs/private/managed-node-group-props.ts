import type { ITerraformDependable } from "cdktf";
import { AutoscalingGroupTagA as AutoscalingGroupTag } from "@cdktf/provider-aws/lib/autoscaling-group-tag";
import { EksNodeGroup, type EksNodeGroupTaint } from "@cdktf/provider-aws/lib/eks-node-group";
import type { Construct } from "constructs";
import { NodeLaunchTemplate } from "./node-launch-template";

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

/** What a kind of node group decides for itself (the rest comes from ManagedNodeGroupProps). */
export interface NodeGroupKind {
  readonly amiType: string;
  readonly capacityType: "ON_DEMAND" | "SPOT";
  readonly instanceTypes: readonly string[];
  readonly diskSizeGiB: number;
  /** Root volume throughput (MiB/s). @default - gp3's baseline */
  readonly rootVolumeThroughput?: number;
  readonly labels: Readonly<Record<string, string>>;
  /** @default - untainted */
  readonly taint?: readonly EksNodeGroupTaint[];
  /** GPUs every node has, for the autoscaler's scale-from-zero template. @default 0 */
  readonly gpus?: number;
}

/** EKS's taint effects in Kubernetes spelling, for the autoscaler's node-template tags. */
const KUBERNETES_TAINT_EFFECT: Readonly<Record<string, string>> = { NO_SCHEDULE: "NoSchedule", PREFER_NO_SCHEDULE: "PreferNoSchedule", NO_EXECUTE: "NoExecute" };

/**
 * Tags of a node group's Auto Scaling group for the Cluster Autoscaler: the auto-discovery tags, and the node
 * template (labels, taints, GPUs) it reads to scale a group up from zero nodes, when no node shows it what the
 * group's nodes look like (kubernetes/autoscaler@cluster-autoscaler-1.33.6:cluster-autoscaler/cloudprovider/aws/README.md).
 */
export function clusterAutoscalerTags(clusterName: string, kind: Pick<NodeGroupKind, "labels" | "taint" | "gpus">): Record<string, string> {
  const prefix = "k8s.io/cluster-autoscaler";
  return {
    [`${prefix}/enabled`]: "true",
    [`${prefix}/${clusterName}`]: "owned",
    ...Object.fromEntries(Object.entries(kind.labels).map(([k, v]) => [`${prefix}/node-template/label/${k}`, v])),
    ...Object.fromEntries((kind.taint ?? []).map((t) => [`${prefix}/node-template/taint/${t.key}`, `${t.value ?? ""}:${KUBERNETES_TAINT_EFFECT[t.effect] ?? t.effect}`])),
    ...(kind.gpus ? { [`${prefix}/node-template/resources/nvidia.com/gpu`]: String(kind.gpus) } : {}),
  };
}

/**
 * The launch template and the EKS managed node group every group of the platform is made of: named after the
 * group, in the given subnets, rolled one node at a time, and (a changed instance type list replaces the group)
 * brought up before the old one goes.
 */
export function managedNodeGroup(scope: Construct, props: ManagedNodeGroupProps, kind: NodeGroupKind): EksNodeGroup {
  const name = `${props.namePrefix}-${props.name}`;
  const template = new NodeLaunchTemplate(scope, "launch-template", {
    namePrefix: `${name}-`,
    rootVolumeGiB: kind.diskSizeGiB,
    ...(kind.rootVolumeThroughput !== undefined ? { rootVolumeThroughput: kind.rootVolumeThroughput } : {}),
    tags: { ...props.tags, Name: name },
  });
  const group = new EksNodeGroup(scope, "node-group", {
    clusterName: props.clusterName,
    nodeGroupNamePrefix: `${props.name}-`,
    nodeRoleArn: props.nodeRoleArn,
    subnetIds: [...props.subnetIds],
    amiType: kind.amiType,
    capacityType: kind.capacityType,
    instanceTypes: [...kind.instanceTypes],
    scalingConfig: { minSize: props.minSize, desiredSize: props.desiredSize, maxSize: props.maxSize },
    updateConfig: { maxUnavailable: 1 },
    launchTemplate: { id: template.template.id, version: template.template.latestVersion.toString() },
    labels: { ...kind.labels },
    ...(kind.taint ? { taint: [...kind.taint] } : {}),
    tags: { Name: name },
    // The Cluster Autoscaler owns the desired size between min and max; Terraform must not reset it.
    lifecycle: { createBeforeDestroy: true, ignoreChanges: ["scaling_config[0].desired_size"] },
    dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
  });
  // EKS does not copy the node group's tags to its Auto Scaling group: tag the group itself.
  const asgName = group.resources.get(0).autoscalingGroups.get(0).name;
  // Ids from the tag keys (without the common prefix and the cluster name), so adding a label changes no other tag.
  for (const [key, value] of Object.entries(clusterAutoscalerTags(props.namePrefix, kind))) {
    const slug = key.replace("k8s.io/cluster-autoscaler/", "").replace(props.namePrefix, "cluster").replace(/[^A-Za-z0-9]+/g, "-");
    new AutoscalingGroupTag(scope, `autoscaler-${slug}`, { autoscalingGroupName: asgName, tag: { key, value, propagateAtLaunch: false } });
  }
  return group;
}
