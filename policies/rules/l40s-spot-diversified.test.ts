import { runRule, synthResource } from "../testing";
import { l40sSpotDiversified as rule } from "./l40s-spot-diversified";

describe(rule.id, () => {
  it("passes spot over two types", () => {
    const r = synthResource("aws_eks_node_group", { instance_types: ["g6e.12xlarge", "g6e.24xlarge"], capacity_type: "SPOT" });
    expect(runRule(rule, r)).toEqual({ status: "compliant", message: "SPOT across g6e.12xlarge, g6e.24xlarge" });
  });

  it("fails on-demand with one type, naming both problems", () => {
    const r = synthResource("aws_eks_node_group", { instance_types: ["g6e.12xlarge"] });
    expect(runRule(rule, r)).toEqual({
      status: "non-compliant",
      message: "capacity_type is ON_DEMAND (default), expected SPOT; only 1 instance type (g6e.12xlarge), expected at least two",
    });
  });

  it("is a warning, not an error", () => {
    expect(rule.severity).toBe("warning");
  });
});
