import { plannedResource, runRule, synthResource } from "../testing";
import { a100OnDemand as rule } from "./a100-on-demand";

describe(rule.id, () => {
  it.each([["ON_DEMAND"], [undefined]])("passes capacity_type %s", (capacity) => {
    const values: Record<string, string | string[]> = { instance_types: ["p4d.24xlarge"] };
    if (capacity) values.capacity_type = capacity;
    expect(runRule(rule, synthResource("aws_eks_node_group", values)).status).toBe("compliant");
  });

  it("fails a spot A100 group, recognised by its label", () => {
    const r = synthResource("aws_eks_node_group", { capacity_type: "SPOT", labels: { "llm-platform.io/accelerator": "a100" }, ami_type: "AL2023_x86_64_NVIDIA" });
    expect(runRule(rule, r)).toEqual({ status: "non-compliant", message: "capacity_type is SPOT; A100 groups must be ON_DEMAND" });
  });

  it("does not apply to L40S groups", () => {
    expect(runRule(rule, synthResource("aws_eks_node_group", { instance_types: ["g6e.12xlarge"], capacity_type: "SPOT" })).status).toBe("not-applicable");
  });

  it("reports an unknown capacity type", () => {
    expect(runRule(rule, plannedResource("aws_eks_node_group", { instance_types: ["p4d.24xlarge"] }, { capacity_type: true }))).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
