/**
 * The general-purpose node group: on-demand, Amazon Linux 2023, untainted. Runs cluster add-ons (coredns, the
 * EBS CSI controller), the gateway, Qdrant, Redis in-cluster and monitoring.
 */
import { Construct } from "constructs";
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { GPU_INSTANCE_TYPES } from "./accelerators";
import { validateScaling } from "./gpu-node-group";
import { NODE_LABELS } from "./node-labels";
import { managedNodeGroup, type ManagedNodeGroupProps } from "./private/managed-node-group-props";
import { wellKnownNodeLabels, type NodeGroupCapacity } from "./private/scheduling-check";

/** Props of SystemNodeGroup. */
export interface SystemNodeGroupProps extends ManagedNodeGroupProps {
  /** Instance types. @default ["m7i.xlarge"] */
  readonly instanceTypes?: readonly string[];
  /** Root volume in GiB. @default 100 */
  readonly diskSizeGiB?: number;
}

/** AMI type of system nodes. */
export const SYSTEM_AMI_TYPE = "AL2023_x86_64_STANDARD";

/** An on-demand, general-purpose EKS managed node group. */
export class SystemNodeGroup extends Construct {
  /** The node group resource. */
  readonly nodeGroup: EksNodeGroup;
  /** Node labels that select this group. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** What the group offers to pods, for the scheduling check. */
  readonly capacity: NodeGroupCapacity;

  constructor(scope: Construct, id: string, props: SystemNodeGroupProps) {
    super(scope, id);
    const instanceTypes = props.instanceTypes ?? ["m7i.xlarge"];
    if (instanceTypes.length === 0) throw new Error("instanceTypes (0) must list at least one instance type");
    const gpuType = instanceTypes.find((t) => GPU_INSTANCE_TYPES[t] !== undefined);
    if (gpuType !== undefined) throw new Error(`instanceTypes (${gpuType}) must not be GPU instance types in a system group; use a gpu group`);
    validateScaling(props.minSize, props.desiredSize, props.maxSize);
    if (props.minSize < 1) throw new Error(`minSize (${props.minSize}) must be at least 1: coredns and the add-ons run on system nodes`);
    const diskSizeGiB = props.diskSizeGiB ?? 100;
    if (diskSizeGiB < 20) throw new Error(`diskSizeGiB (${diskSizeGiB}) must be at least 20 GiB`);

    this.nodeSelector = { [NODE_LABELS.nodeGroup]: props.name, [NODE_LABELS.role]: "system" };
    const labels = { ...this.nodeSelector, [NODE_LABELS.capacityType]: "on-demand" };
    this.nodeGroup = managedNodeGroup(this, props, {
      amiType: SYSTEM_AMI_TYPE,
      capacityType: "ON_DEMAND",
      instanceTypes,
      diskSizeGiB,
      labels,
    });
    this.capacity = { instanceTypes: [...instanceTypes], min: props.minSize, desired: props.desiredSize, max: props.maxSize, labels: { ...labels, ...wellKnownNodeLabels("ON_DEMAND") }, taints: [] };
  }
}
