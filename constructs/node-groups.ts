/**
 * The cluster's node groups as a typed map (like terraform-aws-eks's eks_managed_node_groups): each entry is a
 * system or a GPU group, so adding a group is adding one entry to the environment file. All groups share one
 * node IAM role.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import type { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import type { Accelerator } from "./accelerators";
import { GpuNodeGroup, type GpuScheduling } from "./gpu-node-group";
import { SystemNodeGroup } from "./system-node-group";
import { NodeRole } from "./private/node-role";
import type { NodeGroupCapacity } from "./private/scheduling-check";

/** Sizes shared by every kind of group. */
interface NodeGroupSize {
  /** Minimum nodes. */
  readonly min: number;
  /** Nodes the group starts with. */
  readonly desired: number;
  /** Maximum nodes. */
  readonly max: number;
  /** Root volume in GiB. @default - 100 for system groups, 500 for GPU groups */
  readonly diskSizeGiB?: number;
}

/** One entry of the map: a system group or a GPU group typed by accelerator. */
export type NodeGroupSpec =
  | (NodeGroupSize & { readonly kind: "system"; /** @default ["m7i.xlarge"] */ readonly instanceTypes?: readonly string[] })
  | (NodeGroupSize & {
      readonly kind: "gpu";
      readonly accelerator: Accelerator;
      /** @default - the accelerator's default instance types */
      readonly instanceTypes?: readonly string[];
    });

/** Props of NodeGroups. */
export interface NodeGroupsProps {
  /** Cluster the groups join (token). */
  readonly clusterName: string;
  /** Cluster name as a plain string, for resource names. */
  readonly namePrefix: string;
  /** Private subnets for the nodes. */
  readonly subnetIds: readonly string[];
  /** The groups by name (DNS-safe). */
  readonly groups: Readonly<Record<string, NodeGroupSpec>>;
  /** AWS partition for managed policy ARNs. @default "aws" */
  readonly partition?: string;
  /** Tags for instances and volumes. @default {} */
  readonly tags?: Readonly<Record<string, string>>;
  /** What must exist before nodes launch (the CNI add-on). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

const GROUP_NAME = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;

/** Every node group of a cluster. */
export class NodeGroups extends Construct {
  /** System groups by name. */
  readonly system: Readonly<Record<string, SystemNodeGroup>>;
  /** GPU groups by name. */
  readonly gpu: Readonly<Record<string, GpuNodeGroup>>;
  /** Shared node role. */
  readonly nodeRole: NodeRole;

  constructor(scope: Construct, id: string, props: NodeGroupsProps) {
    super(scope, id);
    const entries = Object.entries(props.groups);
    if (!entries.some(([, g]) => g.kind === "system")) {
      throw new Error("groups must include at least one group of kind system, for coredns and the platform services");
    }
    const badName = entries.find(([name]) => !GROUP_NAME.test(name));
    if (badName) throw new Error(`groups (${badName[0]}) must be named with a DNS-safe label of at most 20 characters`);

    this.nodeRole = new NodeRole(this, "node-role", { roleName: `${props.namePrefix}-node`, partition: props.partition ?? "aws" });
    const common = {
      clusterName: props.clusterName,
      namePrefix: props.namePrefix,
      nodeRoleArn: this.nodeRole.role.arn,
      subnetIds: props.subnetIds,
      tags: props.tags,
      dependsOn: props.dependsOn,
    };
    const system: Record<string, SystemNodeGroup> = {};
    const gpu: Record<string, GpuNodeGroup> = {};
    for (const [name, spec] of entries) {
      const size = { minSize: spec.min, desiredSize: spec.desired, maxSize: spec.max, diskSizeGiB: spec.diskSizeGiB };
      if (spec.kind === "system") {
        system[name] = new SystemNodeGroup(this, name, { ...common, ...size, name, instanceTypes: spec.instanceTypes });
      } else {
        gpu[name] = new GpuNodeGroup(this, name, { ...common, ...size, name, accelerator: spec.accelerator, instanceTypes: spec.instanceTypes });
      }
    }
    this.system = system;
    this.gpu = gpu;
  }

  /** Every node group resource, for add-ons that must wait for nodes. */
  get all(): EksNodeGroup[] {
    return [...Object.values(this.system), ...Object.values(this.gpu)].map((g) => g.nodeGroup);
  }

  /** System node group resources. */
  get systemNodeGroups(): EksNodeGroup[] {
    return Object.values(this.system).map((g) => g.nodeGroup);
  }

  /** What every group offers to pods, by name, for the scheduling check. */
  get capacity(): Record<string, NodeGroupCapacity> {
    return Object.fromEntries([...Object.entries(this.system), ...Object.entries(this.gpu)].map(([name, g]) => [name, g.capacity]));
  }

  /** Scheduling of every GPU group by name. */
  get gpuScheduling(): Record<string, GpuScheduling> {
    return Object.fromEntries(Object.entries(this.gpu).map(([name, g]) => [name, g.scheduling]));
  }
}
