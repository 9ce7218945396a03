import { fixtureConfig, plannedResource, runRule, synthResource } from "../testing";
import { gpuCeiling as rule } from "./gpu-ceiling";

const cluster = synthResource("aws_eks_cluster", { name: "llm-prod" });
const group = (name: string, types: string[], max: number) => synthResource("aws_eks_node_group", { instance_types: types, scaling_config: { desired_size: 1, max_size: max, min_size: 0 } }, name);

describe(rule.id, () => {
  const config = fixtureConfig(); // maxGpus 32

  it("passes when max sizes stay within maxGpus (system groups do not count)", () => {
    const others = [group("a100", ["p4d.24xlarge"], 3), group("l40s", ["g6e.12xlarge", "g6e.24xlarge"], 2), group("system", ["m7i.2xlarge"], 6)];
    expect(runRule(rule, cluster, others, { config })).toEqual({ status: "compliant", message: "node groups scale to at most 32 GPUs (a100: 3 x 8, l40s: 2 x 4), within maxGpus 32" });
  });

  it("fails when an A100 group can scale past the ceiling", () => {
    const others = [group("a100", ["p4d.24xlarge"], 4), group("l40s", ["g6e.12xlarge"], 2)];
    expect(runRule(rule, cluster, others, { config }).message).toBe("node groups can scale to 40 GPUs (a100: 4 x 8, l40s: 2 x 4), above maxGpus 32");
  });

  it("is not applicable without the environment configuration", () => {
    expect(runRule(rule, cluster, [group("a100", ["p4d.24xlarge"], 9)]).status).toBe("not-applicable");
  });

  it("reports a max size unknown at plan time", () => {
    const ng = plannedResource("aws_eks_node_group", { instance_types: ["p4d.24xlarge"], scaling_config: [{}] }, { scaling_config: [{ max_size: true }] }, "a100");
    expect(runRule(rule, plannedResource("aws_eks_cluster", {}), [ng], { config })).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
