import { GPU_RESOURCE, nodeGroupGpu } from "../gpu";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { at, items, read, root } from "../values";

/** LLM-GPU-001: GPU node groups carry the nvidia.com/gpu NoSchedule taint. */
export const gpuNodeGroupTaint: Rule = {
  id: "LLM-GPU-001",
  severity: "error",
  title: "GPU node groups are tainted nvidia.com/gpu:NoSchedule",
  rationale: "Without the taint, ordinary pods fill GPU nodes (tens of dollars an hour) and block the model servers that need them.",
  recommendedAction: "Add taint { key = \"nvidia.com/gpu\", value = \"true\", effect = \"NO_SCHEDULE\" } to the node group (the GPU node group construct does).",
  appliesTo: ["aws_eks_node_group"],
  check(resource, context) {
    const gpu = nodeGroupGpu(resource, context);
    if (gpu.instanceTypes === "unknown" && gpu.accelerator === undefined) return unknownAtPlanTime("instance_types (whether this is a GPU group)");
    if (gpu.accelerator === undefined) return notApplicable("not a GPU node group");
    const node = at(root(resource), "taint");
    if (read(node).state === "unknown") return unknownAtPlanTime("taint");
    for (const t of items(node)) {
      const key = read(at(t, "key"));
      const effect = read(at(t, "effect"));
      if (key.state === "unknown" || effect.state === "unknown") return unknownAtPlanTime("taint key/effect");
      if (key.state === "known" && key.value === GPU_RESOURCE && effect.state === "known" && (effect.value === "NO_SCHEDULE" || effect.value === "NoSchedule")) {
        return compliant(`tainted ${GPU_RESOURCE}:NoSchedule`);
      }
    }
    return nonCompliant(`GPU node group (${gpu.accelerator}) has no ${GPU_RESOURCE} NO_SCHEDULE taint`);
  },
};
