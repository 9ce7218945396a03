import type { ITerraformDependable } from "cdktf";
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
  return new EksNodeGroup(scope, "node-group", {
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
    lifecycle: { createBeforeDestroy: true },
    dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
  });
}
