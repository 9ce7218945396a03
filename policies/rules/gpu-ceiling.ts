import { gpusPerNode, nodeGroupGpu } from "../gpu";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { get, numberOf } from "../values";

/** LLM-GPU-004: the GPUs the cluster's node groups can scale to stay within the environment's maxGpus. */
export const gpuCeiling: Rule = {
  id: "LLM-GPU-004",
  severity: "error",
  title: "GPUs at full scale stay within the environment's ceiling (maxGpus)",
  rationale: "GPU nodes dominate the bill and are quota-limited; the ceiling in the environment file is the budget the owners agreed to, and a node group's max_size is where autoscaling can take it.",
  recommendedAction: "Lower max_size of the GPU node groups, or raise maxGpus in the environment file (with the budget owner's approval).",
  appliesTo: ["aws_eks_cluster"],
  check(_resource, context) {
    const ceiling = context.config?.maxGpus;
    if (ceiling === undefined) return notApplicable(`no environment configuration for ${context.environment}: the GPU ceiling is unknown`);
    let total = 0;
    const parts: string[] = [];
    for (const group of context.ofType("aws_eks_node_group")) {
      const gpu = nodeGroupGpu(group, context);
      if (gpu.instanceTypes === "unknown") return unknownAtPlanTime(`${group.address} instance_types`);
      if (gpu.accelerator === undefined) continue;
      const perNode = gpusPerNode(gpu.instanceTypes);
      if (perNode === undefined) return nonCompliant(`${group.address}: GPUs per node of ${gpu.instanceTypes.join(", ")} are not in constructs/accelerators.ts, so the total cannot be counted`);
      const max = numberOf(get(group, "scaling_config", "max_size"));
      if (max === "unknown") return unknownAtPlanTime(`${group.address} scaling_config.max_size`);
      if (max === undefined) return nonCompliant(`${group.address}: scaling_config.max_size is not set`);
      total += max * perNode;
      parts.push(`${group.name}: ${max} x ${perNode}`);
    }
    const detail = parts.length > 0 ? ` (${parts.join(", ")})` : "";
    if (total > ceiling) return nonCompliant(`node groups can scale to ${total} GPUs${detail}, above maxGpus ${ceiling}`);
    return compliant(`node groups scale to at most ${total} GPUs${detail}, within maxGpus ${ceiling}`);
  },
};
