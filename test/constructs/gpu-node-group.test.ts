import { Testing, TerraformStack } from "cdktf";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { GpuNodeGroup, type GpuNodeGroupProps } from "../../constructs/gpu-node-group";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const base: GpuNodeGroupProps = {
  name: "l40s",
  clusterName: "llm-test",
  namePrefix: "llm-test",
  nodeRoleArn: "arn:aws:iam::123456789012:role/llm-test-node",
  subnetIds: ["subnet-a", "subnet-b"],
  accelerator: "l40s",
  minSize: 0,
  desiredSize: 1,
  maxSize: 2,
};

function build(props: Partial<GpuNodeGroupProps>): GpuNodeGroup {
  const stack = new TerraformStack(Testing.app(), "test");
  return new GpuNodeGroup(stack, "group", { ...base, ...props });
}

describe("GpuNodeGroup", () => {
  // given an A100 group and an L40S group with default instance types, when synthesized
  let group: { a100: GpuNodeGroup; l40s: GpuNodeGroup } | undefined;
  const synthesized = Testing.synthScope((scope) => {
    group = {
      a100: new GpuNodeGroup(scope, "a100", { ...base, name: "a100", accelerator: "a100", minSize: 2, desiredSize: 2, maxSize: 3 }),
      l40s: new GpuNodeGroup(scope, "l40s", base),
    };
  });
  const tf = parseStack(synthesized);

  test("an A100 group runs p4d.24xlarge on demand with the NVIDIA AMI, tainted and labelled", () => {
    expect(synthesized).toHaveResourceWithProperties(EksNodeGroup, {
      ami_type: "AL2023_x86_64_NVIDIA",
      capacity_type: "ON_DEMAND",
      instance_types: ["p4d.24xlarge"],
      scaling_config: { min_size: 2, desired_size: 2, max_size: 3 },
      taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      labels: expect.objectContaining({
        "llm-platform.io/accelerator": "a100",
        "llm-platform.io/capacity-type": "on-demand",
        "llm-platform.io/node-group": "a100",
      }),
    });
  });

  test("an L40S group runs spot spread over the listed g6e types", () => {
    expect(synthesized).toHaveResourceWithProperties(EksNodeGroup, {
      capacity_type: "SPOT",
      instance_types: ["g6e.12xlarge", "g6e.24xlarge"],
      taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
      labels: expect.objectContaining({ "llm-platform.io/accelerator": "l40s", "llm-platform.io/capacity-type": "spot" }),
    });
  });

  test("every launch template requires IMDSv2 with hop limit 1 (pods use Pod Identity, not the node role) and an encrypted gp3 root volume of 500 GiB", () => {
    const templates = resourcesOf(tf, "aws_launch_template");
    expect(templates).toHaveLength(2);
    for (const t of templates) {
      expect(t).toMatchObject({
        metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1, http_endpoint: "enabled" },
        block_device_mappings: [{ device_name: "/dev/xvda", ebs: { volume_type: "gp3", encrypted: "true", volume_size: 500 } }],
      });
    }
  });

  test("the node group uses its launch template's latest version", () => {
    for (const ng of resourcesOf(tf, "aws_eks_node_group")) {
      expect(ng["launch_template"]).toEqual({
        id: expect.stringMatching(/^\$\{aws_launch_template\..+\.id\}$/),
        version: expect.stringMatching(/^\$\{aws_launch_template\..+\.latest_version\}$/),
      });
    }
    expect(synthesized).toHaveResource(LaunchTemplate);
  });

  test("it exposes the nodeSelector and tolerations that match its labels and taint", () => {
    const l40s = group!.l40s;
    expect(l40s.nodeSelector).toEqual({ "llm-platform.io/node-group": "l40s", "llm-platform.io/accelerator": "l40s" });
    expect(l40s.tolerations).toEqual([{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }]);
    const body = resourcesOf(tf, "aws_eks_node_group").find((n) => n["capacity_type"] === "SPOT")!;
    expect(body["labels"]).toMatchObject(l40s.nodeSelector);
    expect(l40s.scheduling).toEqual({
      accelerator: "l40s",
      gpusPerNode: 4,
      capacityType: "SPOT",
      nodeSelector: l40s.nodeSelector,
      tolerations: l40s.tolerations,
    });
    expect(group!.a100.gpusPerNode).toBe(8);
  });

  test("place accepts a tensor parallelism that fits a node and refuses one that does not", () => {
    expect(group!.a100.place(8).gpusPerNode).toBe(8);
    expect(() => group!.l40s.place(8)).toThrow("tensorParallelSize (8) exceeds GPUs per node of l40s (4)");
    expect(() => group!.l40s.place(0)).toThrow("tensorParallelSize (0) must be a positive integer");
  });

  test("GPUs per node is the minimum over the instance types", () => {
    expect(build({ instanceTypes: ["g6e.xlarge", "g6e.12xlarge"] }).gpusPerNode).toBe(1);
  });

  describe("refuses bad props", () => {
    test.each<[string, Partial<GpuNodeGroupProps>, string]>([
      ["an L40S type in an A100 group", { accelerator: "a100", instanceTypes: ["g6e.12xlarge"] }, "instanceTypes (g6e.12xlarge) must be a100 instance types: p4d.24xlarge, p4de.24xlarge"],
      ["a CPU type in an L40S group", { instanceTypes: ["g6e.12xlarge", "m7i.large"] }, "instanceTypes (m7i.large) must be l40s instance types: g6e.xlarge, g6e.2xlarge, g6e.4xlarge, g6e.8xlarge, g6e.16xlarge, g6e.12xlarge, g6e.24xlarge, g6e.48xlarge"],
      ["one type in a spot group", { instanceTypes: ["g6e.12xlarge"] }, "instanceTypes (1) must list at least two types for a spot group, so capacity can be found"],
      ["no types", { instanceTypes: [] }, "instanceTypes (0) must list at least one instance type"],
      ["min above desired", { minSize: 2, desiredSize: 1 }, "minSize (2) must not exceed desiredSize (1)"],
      ["desired above max", { desiredSize: 3, maxSize: 2 }, "desiredSize (3) must not exceed maxSize (2)"],
      ["max zero", { minSize: 0, desiredSize: 0, maxSize: 0 }, "maxSize (0) must be at least 1"],
      ["a negative size", { minSize: -1 }, "minSize (-1) must be a non-negative integer"],
      ["a small disk", { diskSizeGiB: 100 }, "diskSizeGiB (100) must be at least 200 GiB to hold the vLLM image and model weights"],
    ])("%s", (_case, props, message) => {
      expect(() => build(props)).toThrow(message);
    });
  });
});
