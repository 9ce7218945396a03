import { nodeGroupGpu } from "../gpu";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { get, stringOf } from "../values";

/** LLM-GPU-002: A100 node groups run on-demand. */
export const a100OnDemand: Rule = {
  id: "LLM-GPU-002",
  severity: "error",
  title: "A100 node groups are on-demand",
  rationale: "Llama 3 70B with tensor parallelism 8 holds all eight GPUs of a p4d node for hours and takes minutes to load; a spot reclaim takes the model down, and p4d spot capacity is scarce.",
  recommendedAction: "Set capacity_type = \"ON_DEMAND\" on the A100 node group (or use a capacity block).",
  appliesTo: ["aws_eks_node_group"],
  check(resource, context) {
    const gpu = nodeGroupGpu(resource, context);
    if (gpu.instanceTypes === "unknown" && gpu.accelerator === undefined) return unknownAtPlanTime("instance_types");
    if (gpu.accelerator !== "a100") return notApplicable("not an A100 node group");
    const capacity = stringOf(get(resource, "capacity_type"));
    if (capacity === "unknown") return unknownAtPlanTime("capacity_type");
    // EKS defaults capacity_type to ON_DEMAND.
    if (capacity === undefined || capacity === "ON_DEMAND" || capacity === "CAPACITY_BLOCK") return compliant(`capacity_type ${capacity ?? "ON_DEMAND (default)"}`);
    return nonCompliant(`capacity_type is ${capacity}; A100 groups must be ON_DEMAND`);
  },
};
