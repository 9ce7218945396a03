import { Testing, TerraformStack } from "cdktf";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { NodeGroups, type NodeGroupsProps } from "../../constructs/node-groups";
import { SystemNodeGroup, type SystemNodeGroupProps } from "../../constructs/system-node-group";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const groups: NodeGroupsProps["groups"] = {
  system: { kind: "system", instanceTypes: ["m7i.large"], min: 1, desired: 2, max: 3 },
  a100: { kind: "gpu", accelerator: "a100", min: 0, desired: 0, max: 1 },
  l40s: { kind: "gpu", accelerator: "l40s", min: 0, desired: 1, max: 2 },
  spare: { kind: "gpu", accelerator: "l40s", instanceTypes: ["g6e.xlarge", "g6e.2xlarge"], min: 0, desired: 0, max: 4 },
};
const base: NodeGroupsProps = { clusterName: "llm-test", namePrefix: "llm-test", subnetIds: ["subnet-a", "subnet-b"], groups, tags: { owner: "t" } };

describe("NodeGroups (the typed map)", () => {
  // given one system group and three GPU groups, when synthesized
  let built: NodeGroups | undefined;
  const json = Testing.synthScope((scope) => {
    built = new NodeGroups(scope, "node-groups", base);
  });
  const tf = parseStack(json);

  test("one node group per entry, named by its key, sharing one node role", () => {
    const bodies = resourcesOf(tf, "aws_eks_node_group");
    expect(bodies.map((b) => b["node_group_name_prefix"]).sort()).toEqual(["a100-", "l40s-", "spare-", "system-"]);
    expect(new Set(bodies.map((b) => b["node_role_arn"])).size).toBe(1);
    expect(resourcesOf(tf, "aws_iam_role")).toHaveLength(1);
  });

  test("the node role can join the cluster, pull images and run the CNI", () => {
    for (const policy of ["AmazonEKSWorkerNodePolicy", "AmazonEC2ContainerRegistryPullOnly", "AmazonEKS_CNI_Policy"]) {
      expect(json).toHaveResourceWithProperties(IamRolePolicyAttachment, { policy_arn: `arn:aws:iam::aws:policy/${policy}` });
    }
  });

  test("the system group is on-demand Amazon Linux 2023 without taints", () => {
    expect(json).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name_prefix: "system-",
      ami_type: "AL2023_x86_64_STANDARD",
      capacity_type: "ON_DEMAND",
      instance_types: ["m7i.large"],
      scaling_config: { min_size: 1, desired_size: 2, max_size: 3 },
    });
    const system = resourcesOf(tf, "aws_eks_node_group").find((b) => b["node_group_name_prefix"] === "system-")!;
    expect(system["taint"]).toBeUndefined();
  });

  test("a second L40S group with its own types is one more entry", () => {
    expect(json).toHaveResourceWithProperties(EksNodeGroup, {
      node_group_name_prefix: "spare-",
      capacity_type: "SPOT",
      instance_types: ["g6e.xlarge", "g6e.2xlarge"],
    });
    expect(built!.gpuScheduling["spare"]!.gpusPerNode).toBe(1);
  });

  test("it exposes GPU scheduling by group name and every node group for add-ons", () => {
    expect(Object.keys(built!.gpuScheduling).sort()).toEqual(["a100", "l40s", "spare"]);
    expect(built!.gpuScheduling["a100"]).toMatchObject({ accelerator: "a100", capacityType: "ON_DEMAND", gpusPerNode: 8 });
    expect(built!.all).toHaveLength(4);
    expect(built!.systemNodeGroups).toHaveLength(1);
  });

  test("instances and volumes are tagged through the launch templates", () => {
    for (const t of resourcesOf(tf, "aws_launch_template")) {
      const specs = t["tag_specifications"] as Array<{ resource_type: string; tags: Record<string, string> }>;
      expect(specs.map((s) => s.resource_type)).toEqual(["instance", "volume", "network-interface"]);
      expect(specs[0]!.tags["owner"]).toBe("t");
    }
  });

  describe("refuses bad props", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    test("a map without a system group", () => {
      expect(() => new NodeGroups(stack(), "g", { ...base, groups: { l40s: groups["l40s"]! } })).toThrow(
        "groups must include at least one group of kind system, for coredns and the platform services",
      );
    });
    test("a group name that is not a DNS label", () => {
      expect(() => new NodeGroups(stack(), "g", { ...base, groups: { ...groups, GPU_1: groups["l40s"]! } })).toThrow(
        "groups (GPU_1) must be named with a DNS-safe label of at most 20 characters",
      );
    });
  });
});

describe("SystemNodeGroup", () => {
  const sysBase: SystemNodeGroupProps = {
    name: "system",
    clusterName: "llm-test",
    namePrefix: "llm-test",
    nodeRoleArn: "arn:aws:iam::123456789012:role/n",
    subnetIds: ["subnet-a"],
    minSize: 1,
    desiredSize: 1,
    maxSize: 2,
  };
  const stack = () => new TerraformStack(Testing.app(), "t");

  test("defaults to m7i.xlarge with a 100 GiB encrypted gp3 root volume and IMDSv2", () => {
    const tf = parseStack(Testing.synthScope((s) => void new SystemNodeGroup(s, "system", sysBase)));
    expect(resourcesOf(tf, "aws_eks_node_group")[0]!["instance_types"]).toEqual(["m7i.xlarge"]);
    expect(resourcesOf(tf, "aws_launch_template")[0]).toMatchObject({
      metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 },
      block_device_mappings: [{ ebs: { volume_size: 100, volume_type: "gp3", encrypted: "true" } }],
    });
  });

  test.each<[string, Partial<SystemNodeGroupProps>, string]>([
    ["a GPU type", { instanceTypes: ["m7i.large", "p4d.24xlarge"] }, "instanceTypes (p4d.24xlarge) must not be GPU instance types in a system group; use a gpu group"],
    ["no types", { instanceTypes: [] }, "instanceTypes (0) must list at least one instance type"],
    ["zero nodes", { minSize: 0, desiredSize: 0 }, "minSize (0) must be at least 1: coredns and the add-ons run on system nodes"],
    ["min above desired", { minSize: 2, desiredSize: 1 }, "minSize (2) must not exceed desiredSize (1)"],
    ["a tiny disk", { diskSizeGiB: 8 }, "diskSizeGiB (8) must be at least 20 GiB"],
  ])("refuses %s", (_case, props, message) => {
    expect(() => new SystemNodeGroup(stack(), "s", { ...sysBase, ...props })).toThrow(message);
  });
});
