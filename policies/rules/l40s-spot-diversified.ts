import { nodeGroupGpu } from "../gpu";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { get, stringOf } from "../values";

/** LLM-GPU-003: L40S node groups run on spot across at least two instance types. */
export const l40sSpotDiversified: Rule = {
  id: "LLM-GPU-003",
  severity: "warning",
  title: "L40S node groups use spot with at least two instance types",
  rationale: "Mistral 7B fits one L40S and restarts in seconds, so spot saves most of the cost; one instance type leaves the group without capacity when that pool runs dry.",
  recommendedAction: "Set capacity_type = \"SPOT\" and list two or more g6e instance types with the same GPU count (e.g. g6e.12xlarge, g6e.24xlarge).",
  appliesTo: ["aws_eks_node_group"],
  check(resource, context) {
    const gpu = nodeGroupGpu(resource, context);
    if (gpu.instanceTypes === "unknown" && gpu.accelerator === undefined) return unknownAtPlanTime("instance_types");
    if (gpu.accelerator !== "l40s") return notApplicable("not an L40S node group");
    const capacity = stringOf(get(resource, "capacity_type"));
    if (capacity === "unknown") return unknownAtPlanTime("capacity_type");
    if (gpu.instanceTypes === "unknown") return unknownAtPlanTime("instance_types");
    const problems: string[] = [];
    if (capacity !== "SPOT") problems.push(`capacity_type is ${capacity ?? "ON_DEMAND (default)"}, expected SPOT`);
    if (gpu.instanceTypes.length < 2) problems.push(`only ${gpu.instanceTypes.length} instance type (${gpu.instanceTypes.join(", ") || "none"}), expected at least two`);
    return problems.length > 0 ? nonCompliant(problems.join("; ")) : compliant(`SPOT across ${gpu.instanceTypes.join(", ")}`);
  },
};
