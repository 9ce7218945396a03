import { Testing, TerraformStack } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { EksCluster, pinnedAddonVersions, PINNED_ADDONS, type EksClusterProps } from "../../constructs/eks-cluster";
import addonTable from "../../constructs/data/eks-addon-versions.json";
import { EKS_ADDON_WORKLOADS } from "../../constructs/private/eks-addon-workloads";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const base: EksClusterProps = {
  clusterName: "llm-test",
  kubernetesVersion: "1.33",
  subnetIds: ["subnet-a", "subnet-b"],
  endpoint: { mode: "private" },
  admins: ["arn:aws:iam::123456789012:role/platform-admins", "arn:aws:iam::123456789012:role/sre"],
  logRetentionDays: 90,
  accountId: "123456789012",
};

function synth(props: Partial<EksClusterProps>, withNodes = true) {
  const json = Testing.synthScope((scope) => {
    const eks = new EksCluster(scope, "eks", { ...base, ...props });
    if (withNodes) {
      const nodes = new EksNodeGroup(scope, "nodes", {
        clusterName: eks.clusterName,
        nodeRoleArn: "arn:aws:iam::123456789012:role/n",
        subnetIds: ["subnet-a"],
        scalingConfig: { minSize: 1, desiredSize: 1, maxSize: 1 },
      });
      eks.addComputeAddons([nodes]);
    }
  });
  return { json, tf: parseStack(json) };
}

describe("EksCluster", () => {
  // given a private cluster with two admins, when synthesized with one node group
  const priv = synth({});
  // given a cluster whose endpoint is public but restricted
  const pub = synth({ endpoint: { mode: "public-restricted", cidrs: ["203.0.113.0/24"] }, logRetentionDays: 14 }, false);

  test("version from config, secrets encrypted with a rotating KMS key, api/audit/authenticator logs", () => {
    expect(priv.json).toHaveResourceWithProperties(EksClusterResource, {
      name: "llm-test",
      version: "1.33",
      enabled_cluster_log_types: ["api", "audit", "authenticator"],
      encryption_config: { resources: ["secrets"], provider: { key_arn: expect.stringMatching(/^\$\{aws_kms_key\..+\.arn\}$/) } },
      access_config: { authentication_mode: "API", bootstrap_cluster_creator_admin_permissions: false },
    });
    expect(priv.json).toHaveResourceWithProperties(KmsKey, { enable_key_rotation: true });
  });

  test("control-plane logs go to EKS's log group with the configured retention, created before the cluster", () => {
    expect(priv.json).toHaveResourceWithProperties(CloudwatchLogGroup, { name: "/aws/eks/llm-test/cluster", retention_in_days: 90 });
    expect(pub.json).toHaveResourceWithProperties(CloudwatchLogGroup, { retention_in_days: 14 });
    const cluster = resourcesOf(priv.tf, "aws_eks_cluster")[0]!;
    expect(cluster["depends_on"]).toEqual(expect.arrayContaining([expect.stringMatching(/^aws_cloudwatch_log_group\./)]));
  });

  test("a private endpoint is not reachable from the internet", () => {
    expect(priv.json).toHaveResourceWithProperties(EksClusterResource, {
      vpc_config: expect.objectContaining({ endpoint_private_access: true, endpoint_public_access: false }),
    });
    expect(resourcesOf(priv.tf, "aws_eks_cluster")[0]!["vpc_config"]).not.toHaveProperty("public_access_cidrs");
  });

  test("a private endpoint admits the configured networks and security groups on 443, and nothing without them", () => {
    const { tf } = synth({ endpoint: { mode: "private", allowedCidrs: ["10.200.0.0/22"], allowedSecurityGroupIds: ["sg-0123456789abcdef0"] } });
    const rules = resourcesOf(tf, "aws_vpc_security_group_ingress_rule");
    expect(rules).toEqual([
      expect.objectContaining({ cidr_ipv4: "10.200.0.0/22", ip_protocol: "tcp", from_port: 443, to_port: 443, security_group_id: expect.stringMatching(/^\$\{aws_eks_cluster\..+\.vpc_config\[0\]\.cluster_security_group_id\}$/) }),
      expect.objectContaining({ referenced_security_group_id: "sg-0123456789abcdef0", ip_protocol: "tcp", from_port: 443, to_port: 443 }),
    ]);
    expect(resourcesOf(priv.tf, "aws_vpc_security_group_ingress_rule")).toEqual([]);
  });

  test("a public-restricted endpoint lists only the configured CIDRs", () => {
    expect(pub.json).toHaveResourceWithProperties(EksClusterResource, {
      vpc_config: expect.objectContaining({ endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] }),
    });
  });

  test("each admin gets an access entry and the cluster-admin policy at cluster scope", () => {
    expect(resourcesOf(priv.tf, "aws_eks_access_entry")).toHaveLength(2);
    expect(priv.json).toHaveResourceWithProperties(EksAccessEntry, { principal_arn: "arn:aws:iam::123456789012:role/sre", type: "STANDARD" });
    expect(resourcesOf(priv.tf, "aws_eks_access_policy_association")).toHaveLength(2);
    expect(priv.json).toHaveResourceWithProperties(EksAccessPolicyAssociation, {
      policy_arn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
      access_scope: { type: "cluster" },
    });
  });

  test("all five managed add-ons; coredns and EBS CSI wait for nodes, the others do not", () => {
    const addons = resourcesOf(priv.tf, "aws_eks_addon");
    expect(addons.map((a) => a["addon_name"]).sort()).toEqual(["aws-ebs-csi-driver", "coredns", "eks-pod-identity-agent", "kube-proxy", "vpc-cni"]);
    const waitsForNodes = (name: string) =>
      ((addons.find((a) => a["addon_name"] === name)!["depends_on"] as string[] | undefined) ?? []).some((d) => d.startsWith("aws_eks_node_group."));
    expect(waitsForNodes("coredns")).toBe(true);
    expect(waitsForNodes("aws-ebs-csi-driver")).toBe(true);
    expect(waitsForNodes("vpc-cni")).toBe(false);
    expect(waitsForNodes("eks-pod-identity-agent")).toBe(false);
  });

  test("every add-on has an addon_version: the documented ones from the table, the others EKS's default for the version", () => {
    const addons = resourcesOf(priv.tf, "aws_eks_addon");
    const version = (name: string) => addons.find((a) => a["addon_name"] === name)!["addon_version"];
    for (const name of PINNED_ADDONS) expect(version(name)).toBe(addonTable.versions["1.33"][name]);
    expect(version("coredns")).toBe("v1.12.4-eksbuild.1");
    for (const name of ["eks-pod-identity-agent", "aws-ebs-csi-driver"]) {
      expect(version(name)).toMatch(/^\$\{data\.aws_eks_addon_version\..+\.version\}$/);
    }
    const lookups = Object.values((JSON.parse(priv.json) as { data: { aws_eks_addon_version: Record<string, Record<string, unknown>> } }).data.aws_eks_addon_version);
    expect(lookups.map((l) => [l["addon_name"], l["kubernetes_version"], l["most_recent"]]).sort()).toEqual([
      ["aws-ebs-csi-driver", "1.33", false],
      ["eks-pod-identity-agent", "1.33", false],
    ]);
  });

  test("a Kubernetes version bump changes every pinned addon_version (it shows in the plan)", () => {
    const older = resourcesOf(synth({ kubernetesVersion: "1.32" }).tf, "aws_eks_addon");
    const newer = resourcesOf(priv.tf, "aws_eks_addon");
    const of = (list: typeof older, name: string) => list.find((a) => a["addon_name"] === name)!["addon_version"];
    expect(of(older, "kube-proxy")).toBe("v1.32.9-eksbuild.2");
    expect(of(newer, "kube-proxy")).toBe("v1.33.5-eksbuild.2");
    expect(of(older, "coredns")).not.toBe(of(newer, "coredns"));
  });

  test("a Kubernetes version without a row, or a row without an exact version, is refused naming the table", () => {
    expect(() => synth({ kubernetesVersion: "1.40" })).toThrow(
      "kubernetesVersion (1.40) has no add-on versions in constructs/data/eks-addon-versions.json (has 1.32, 1.33); add its row from the AWS pages listed there",
    );
    expect(() => pinnedAddonVersions("1.33", { "1.33": { "vpc-cni": "v1.20.1-eksbuild.3", "kube-proxy": "latest", coredns: "v1.12.4-eksbuild.1" } })).toThrow(
      "constructs/data/eks-addon-versions.json: Kubernetes 1.33 lacks an exact version (vX.Y.Z-eksbuild.N) of kube-proxy",
    );
  });

  test("the scheduling check reserves for each add-on pod the requests recorded with their evidence", () => {
    for (const [name, fact] of Object.entries(addonTable.workloadRequests)) {
      const workload = EKS_ADDON_WORKLOADS.find((w) => w.name === name)!;
      expect(workload.requests).toEqual({ cpu: fact.cpu, memory: fact.memory });
      expect(typeof fact.verified).toBe("boolean");
      expect(fact.source.length).toBeGreaterThan(0);
    }
  });

  test("vpc-cni enforces Kubernetes NetworkPolicies", () => {
    const cni = resourcesOf(priv.tf, "aws_eks_addon").find((a) => a["addon_name"] === "vpc-cni")!;
    expect(JSON.parse(cni["configuration_values"] as string)).toEqual({ enableNetworkPolicy: "true" });
  });

  test("the EBS CSI driver gets its IAM role through a pod identity association", () => {
    expect(priv.json).toHaveResourceWithProperties(EksAddon, {
      addon_name: "aws-ebs-csi-driver",
      pod_identity_association: [{ role_arn: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/), service_account: "ebs-csi-controller-sa" }],
    });
    const roles = resourcesOf(priv.tf, "aws_iam_role");
    const ebs = roles.find((r) => r["name"] === "llm-test-ebs-csi")!;
    const trust = JSON.parse(ebs["assume_role_policy"] as string);
    expect(trust.Statement[0]).toMatchObject({ Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
    expect(resourcesOf(priv.tf, "aws_iam_role_policy_attachment").map((a) => a["policy_arn"])).toContain(
      "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
    );
  });

  test("the cluster role may use the secrets key", () => {
    const policy = JSON.parse(resourcesOf(priv.tf, "aws_iam_role_policy")[0]!["policy"] as string);
    expect(policy.Statement[0].Action).toEqual(["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"]);
  });

  describe("refuses bad props", () => {
    const stack = () => new TerraformStack(Testing.app(), "t");
    test.each<[string, Partial<EksClusterProps>, string]>([
      ["a patch version", { kubernetesVersion: "1.33.1" }, 'kubernetesVersion (1.33.1) must be a minor version such as "1.33"'],
      ["one subnet", { subnetIds: ["subnet-a"] }, "subnetIds (1) must list subnets in at least two availability zones"],
      ["no admins", { admins: [] }, "admins (0) must list at least one IAM role ARN, or nobody can administer the cluster"],
      ["a user ARN as admin", { admins: ["arn:aws:iam::123456789012:user/bob"] }, "admins (arn:aws:iam::123456789012:user/bob) must be IAM role ARNs, arn:aws:iam::<account>:role/<name>"],
      ["a retention CloudWatch does not offer", { logRetentionDays: 10 }, "logRetentionDays (10) must be one of CloudWatch's periods: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"],
      ["a public endpoint without CIDRs", { endpoint: { mode: "public-restricted", cidrs: [] } }, "endpoint.cidrs (0) must list at least one CIDR for public-restricted access"],
      ["a public endpoint open to all", { endpoint: { mode: "public-restricted", cidrs: ["0.0.0.0/0"] } }, "endpoint.cidrs (0.0.0.0/0) must be restricted; /0 opens the API to the internet"],
      ["a private endpoint open to all", { endpoint: { mode: "private", allowedCidrs: ["0.0.0.0/0"] } }, "endpoint.allowedCidrs (0.0.0.0/0) must be restricted; /0 admits every address that routes to the VPC"],
      ["a security group name", { endpoint: { mode: "private", allowedSecurityGroupIds: ["bastion"] } }, "endpoint.allowedSecurityGroupIds (bastion) must be security group ids, sg- and 8 or 17 hex digits"],
    ])("%s", (_case, props, message) => {
      expect(() => new EksCluster(stack(), "eks", { ...base, ...props })).toThrow(message);
    });

    test("compute add-ons need a node group, once", () => {
      const eks = new EksCluster(stack(), "eks", base);
      expect(() => eks.addComputeAddons([])).toThrow("nodeGroups (0) must list at least one node group for coredns to run on");
    });
  });
});
