import { plannedResource, runRule, synthResource } from "../testing";
import { gpuNodeGroupTaint as rule } from "./gpu-node-group-taint";

const taint = [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }];

describe(rule.id, () => {
  it("passes a tainted A100 group", () => {
    expect(runRule(rule, synthResource("aws_eks_node_group", { instance_types: ["p4d.24xlarge"], taint }))).toEqual({ status: "compliant", message: "tainted nvidia.com/gpu:NoSchedule" });
  });

  it("fails an untainted L40S group", () => {
    expect(runRule(rule, synthResource("aws_eks_node_group", { instance_types: ["g6e.12xlarge", "g6e.24xlarge"] }))).toEqual({
      status: "non-compliant",
      message: "GPU node group (l40s) has no nvidia.com/gpu NO_SCHEDULE taint",
    });
  });

  it("fails a GPU group recognised by its AMI whose taint is PreferNoSchedule", () => {
    const r = synthResource("aws_eks_node_group", { ami_type: "AL2023_x86_64_NVIDIA", taint: [{ key: "nvidia.com/gpu", effect: "PREFER_NO_SCHEDULE" }] });
    expect(runRule(rule, r).status).toBe("non-compliant");
  });

  it("finds the instance type on the launch template", () => {
    const lt = synthResource("aws_launch_template", { instance_type: "p4d.24xlarge" }, "gpu");
    const ng = synthResource("aws_eks_node_group", { launch_template: { id: "${aws_launch_template.gpu.id}" } });
    expect(runRule(rule, ng, [lt]).status).toBe("non-compliant");
  });

  it("does not apply to a system group", () => {
    expect(runRule(rule, synthResource("aws_eks_node_group", { instance_types: ["m7i.large"] })).status).toBe("not-applicable");
  });

  it("reports unknown instance types at plan time", () => {
    expect(runRule(rule, plannedResource("aws_eks_node_group", {}, { instance_types: true }))).toMatchObject({ unknownAtPlanTime: true });
  });
});
