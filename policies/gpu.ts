/**
 * What kind of GPU node group a resource is, from the instance catalog (constructs/accelerators.ts) so the
 * policies and the constructs agree on what "an A100 node" means.
 */
import { GPU_INSTANCE_TYPES, type Accelerator } from "../constructs/accelerators";
import type { PolicyResource, RuleContext } from "./types";
import { get, stringListOf, stringMapOf, stringOf } from "./values";

/** Node label carrying the accelerator family (constructs/node-labels.ts). */
export const ACCELERATOR_LABEL = "llm-platform.io/accelerator";
export const GPU_RESOURCE = "nvidia.com/gpu";

export interface NodeGroupGpu {
  /** Accelerator family; "other" for a GPU AMI with instance types outside the catalog. */
  readonly accelerator: Accelerator | "other" | undefined;
  /** Instance types from the node group or its launch template; "unknown" when decided at apply time. */
  readonly instanceTypes: readonly string[] | "unknown";
}

/** Instance types of a node group: its own list, or the instance_type of its launch template. */
export function nodeGroupInstanceTypes(group: PolicyResource, context: RuleContext): readonly string[] | "unknown" {
  const own = stringListOf(get(group, "instance_types"));
  if (own === "unknown") return "unknown";
  if (own && (own.values.length > 0 || own.unknownElements > 0)) return own.unknownElements > 0 ? "unknown" : own.values;
  const templates = context.ofType("aws_launch_template").filter((lt) => {
    const id = stringOf(get(group, "launch_template", "id"));
    const name = stringOf(get(group, "launch_template", "name"));
    const raw = group.values.launch_template;
    const text = JSON.stringify(raw ?? null);
    return text.includes(`\${${lt.address}.`) || (typeof id === "string" && id !== "unknown" && id === lt.values.id) || (typeof name === "string" && name !== "unknown" && name === lt.values.name) || (group.references.launch_template ?? []).some((a) => a.startsWith(lt.address));
  });
  for (const lt of templates) {
    const t = stringOf(get(lt, "instance_type"));
    if (t === "unknown") return "unknown";
    if (t) return [t];
  }
  return [];
}

/** The accelerator family of a node group, from its instance types, its accelerator label, or its AMI type. */
export function nodeGroupGpu(group: PolicyResource, context: RuleContext): NodeGroupGpu {
  const instanceTypes = nodeGroupInstanceTypes(group, context);
  if (instanceTypes !== "unknown") {
    const families = new Set(instanceTypes.map((t) => GPU_INSTANCE_TYPES[t]?.accelerator).filter((a) => a !== undefined));
    if (families.size === 1) return { accelerator: [...families][0], instanceTypes };
    if (families.size > 1) return { accelerator: "other", instanceTypes };
  }
  const labels = stringMapOf(get(group, "labels"));
  const label = labels && labels !== "unknown" ? labels.map[ACCELERATOR_LABEL] : undefined;
  if (label === "a100" || label === "l40s") return { accelerator: label, instanceTypes };
  const ami = stringOf(get(group, "ami_type"));
  if (typeof ami === "string" && ami !== "unknown" && /NVIDIA|GPU/.test(ami)) return { accelerator: "other", instanceTypes };
  if (instanceTypes !== "unknown" && instanceTypes.some((t) => /^(p\d|g\d)/.test(t))) return { accelerator: "other", instanceTypes };
  return { accelerator: undefined, instanceTypes };
}

/** GPUs every node of the group is guaranteed (minimum over its instance types); undefined when unknown. */
export function gpusPerNode(instanceTypes: readonly string[] | "unknown"): number | undefined {
  if (instanceTypes === "unknown" || instanceTypes.length === 0) return undefined;
  const counts = instanceTypes.map((t) => GPU_INSTANCE_TYPES[t]?.gpus);
  return counts.some((c) => c === undefined) ? undefined : Math.min(...(counts as number[]));
}
