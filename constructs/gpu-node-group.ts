/**
 * A GPU node group typed by accelerator. The accelerator decides the instance types allowed (A100: p4d/p4de,
 * L40S: g6e), how capacity is bought (A100 on-demand, L40S spot spread over several types) and how many GPUs
 * a node is guaranteed to have. Nodes run the EKS-optimized Amazon Linux 2023 NVIDIA AMI, carry the taint
 * nvidia.com/gpu=true:NoSchedule and labels for accelerator and capacity type, and the construct exposes the
 * nodeSelector and tolerations workloads need to land there.
 */
import { Construct } from "constructs";
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { ACCELERATOR_PROFILES, GPU_INSTANCE_TYPES, guaranteedGpusPerNode, instanceTypesOf, type Accelerator } from "./accelerators";
import { EKS_TAINT_EFFECT, GPU_TAINT, NODE_LABELS } from "./node-labels";
import { managedNodeGroup, type ManagedNodeGroupProps } from "./private/managed-node-group-props";
import { wellKnownNodeLabels, type NodeGroupCapacity } from "./private/scheduling-check";

/** A Kubernetes toleration as Helm values and the Kubernetes provider spell it. */
export interface Toleration {
  readonly key: string;
  readonly operator: "Equal" | "Exists";
  readonly value?: string;
  readonly effect: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
}

/** How a workload lands on a GPU node group: plain values derived from config, never tokens. */
export interface GpuScheduling {
  /** Accelerator family of the group. */
  readonly accelerator: Accelerator;
  /** GPUs every node of the group is guaranteed to have. */
  readonly gpusPerNode: number;
  /** ON_DEMAND or SPOT. */
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** Labels the group's nodes carry, to select on. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Tolerations for the group's taints. */
  readonly tolerations: readonly Toleration[];
}

/** Props of GpuNodeGroup. */
export interface GpuNodeGroupProps extends ManagedNodeGroupProps {
  /** Accelerator family. */
  readonly accelerator: Accelerator;
  /** Instance types; spot capacity is spread over all of them. @default - the accelerator's defaults (A100: p4d.24xlarge; L40S: g6e.12xlarge, g6e.24xlarge) */
  readonly instanceTypes?: readonly string[];
  /** Root volume in GiB: container images of vLLM (about 10 GiB) plus model weights cached from S3. @default 500 */
  readonly diskSizeGiB?: number;
}

/** AMI type of every GPU node: the EKS-optimized AL2023 image with the NVIDIA driver and container toolkit. */
export const GPU_AMI_TYPE = "AL2023_x86_64_NVIDIA";
/** Smallest root volume for a GPU node: vLLM's image plus one 70B model's weights (about 140 GiB) and headroom. */
export const MIN_GPU_DISK_GIB = 200;

/** An EKS managed node group of GPU instances. */
export class GpuNodeGroup extends Construct {
  /** The node group resource. */
  readonly nodeGroup: EksNodeGroup;
  /** Accelerator family. */
  readonly accelerator: Accelerator;
  /** Instance types the group runs. */
  readonly instanceTypes: readonly string[];
  /** GPUs every node is guaranteed to have (the minimum over the instance types). */
  readonly gpusPerNode: number;
  /** How capacity is bought. */
  readonly capacityType: "ON_DEMAND" | "SPOT";
  /** Node labels that select this group. */
  readonly nodeSelector: Readonly<Record<string, string>>;
  /** Tolerations for the group's taint. */
  readonly tolerations: readonly Toleration[];
  /** What the group offers to pods, for the scheduling check. */
  readonly capacity: NodeGroupCapacity;
  private readonly groupName: string;

  constructor(scope: Construct, id: string, props: GpuNodeGroupProps) {
    super(scope, id);
    const profile = ACCELERATOR_PROFILES[props.accelerator];
    if (!profile) throw new Error(`accelerator (${String(props.accelerator)}) must be one of ${Object.keys(ACCELERATOR_PROFILES).join(", ")}`);
    const instanceTypes = props.instanceTypes ?? profile.defaultInstanceTypes;
    if (instanceTypes.length === 0) throw new Error("instanceTypes (0) must list at least one instance type");
    for (const t of instanceTypes) {
      if (GPU_INSTANCE_TYPES[t]?.accelerator !== props.accelerator) {
        throw new Error(`instanceTypes (${t}) must be ${props.accelerator} instance types: ${instanceTypesOf(props.accelerator).join(", ")}`);
      }
    }
    if (profile.capacityType === "SPOT" && instanceTypes.length < 2) {
      throw new Error(`instanceTypes (${instanceTypes.length}) must list at least two types for a spot group, so capacity can be found`);
    }
    validateScaling(props.minSize, props.desiredSize, props.maxSize);
    const diskSizeGiB = props.diskSizeGiB ?? 500;
    if (diskSizeGiB < MIN_GPU_DISK_GIB) {
      throw new Error(`diskSizeGiB (${diskSizeGiB}) must be at least ${MIN_GPU_DISK_GIB} GiB to hold the vLLM image and model weights`);
    }

    this.groupName = props.name;
    this.accelerator = props.accelerator;
    this.instanceTypes = [...instanceTypes];
    this.gpusPerNode = guaranteedGpusPerNode(instanceTypes);
    this.capacityType = profile.capacityType;
    this.nodeSelector = { [NODE_LABELS.nodeGroup]: props.name, [NODE_LABELS.accelerator]: props.accelerator };
    this.tolerations = [{ key: GPU_TAINT.key, operator: "Equal", value: GPU_TAINT.value, effect: GPU_TAINT.effect }];

    const labels = {
      ...this.nodeSelector,
      [NODE_LABELS.role]: "gpu",
      [NODE_LABELS.capacityType]: this.capacityType === "SPOT" ? "spot" : "on-demand",
    };
    this.nodeGroup = managedNodeGroup(this, props, {
      amiType: GPU_AMI_TYPE,
      capacityType: this.capacityType,
      instanceTypes,
      diskSizeGiB,
      // Model weights are read from this disk at start-up: faster than gp3's baseline.
      rootVolumeThroughput: 500,
      labels,
      taint: [{ key: GPU_TAINT.key, value: GPU_TAINT.value, effect: EKS_TAINT_EFFECT[GPU_TAINT.effect] }],
      gpus: this.gpusPerNode,
    });
    this.capacity = {
      instanceTypes: [...instanceTypes],
      min: props.minSize,
      desired: props.desiredSize,
      max: props.maxSize,
      labels: { ...labels, ...wellKnownNodeLabels(this.capacityType) },
      taints: [...this.tolerations],
    };
  }

  /** Scheduling of this group for workloads (the platform layer's view of it). */
  get scheduling(): GpuScheduling {
    return {
      accelerator: this.accelerator,
      gpusPerNode: this.gpusPerNode,
      capacityType: this.capacityType,
      nodeSelector: this.nodeSelector,
      tolerations: this.tolerations,
    };
  }

  /**
   * Checks that a workload needing `tensorParallelSize` GPUs on one node fits this group's nodes, and returns
   * the scheduling it should use.
   */
  place(tensorParallelSize: number): GpuScheduling {
    if (!Number.isInteger(tensorParallelSize) || tensorParallelSize < 1) {
      throw new Error(`tensorParallelSize (${tensorParallelSize}) must be a positive integer`);
    }
    if (tensorParallelSize > this.gpusPerNode) {
      throw new Error(`tensorParallelSize (${tensorParallelSize}) exceeds GPUs per node of ${this.groupName} (${this.gpusPerNode})`);
    }
    return this.scheduling;
  }
}

/** Checks min ≤ desired ≤ max, all non-negative integers and max ≥ 1. */
export function validateScaling(minSize: number, desiredSize: number, maxSize: number): void {
  for (const [name, value] of [["minSize", minSize], ["desiredSize", desiredSize], ["maxSize", maxSize]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new Error(`${name} (${value}) must be a non-negative integer`);
  }
  if (maxSize < 1) throw new Error(`maxSize (${maxSize}) must be at least 1`);
  if (minSize > desiredSize) throw new Error(`minSize (${minSize}) must not exceed desiredSize (${desiredSize})`);
  if (desiredSize > maxSize) throw new Error(`desiredSize (${desiredSize}) must not exceed maxSize (${maxSize})`);
}
