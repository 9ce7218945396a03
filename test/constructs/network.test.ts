import { Testing, TerraformStack } from "cdktf";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { Network, type NetworkProps } from "../../constructs/network";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const base: NetworkProps = { name: "llm-test", clusterName: "llm-test", vpcCidr: "10.30.0.0/16", azCount: 3, region: "us-east-1" };

function synth(props: Partial<NetworkProps>) {
  const json = Testing.synthScope((scope) => {
    new Network(scope, "network", { ...base, ...props });
  });
  return { json, tf: parseStack(json) };
}

describe("Network", () => {
  // given three AZs with one NAT per AZ, when synthesized
  const perAz = synth({ natGateways: "one-per-az" });
  // given two AZs with a single NAT
  const single = synth({ azCount: 2, natGateways: "single" });

  test("the VPC has the configured CIDR and DNS support for EKS", () => {
    expect(perAz.json).toHaveResourceWithProperties(Vpc, { cidr_block: "10.30.0.0/16", enable_dns_hostnames: true, enable_dns_support: true });
  });

  test("one private and one public subnet per AZ, tagged for EKS and the load balancer controller", () => {
    const subnets = resourcesOf(perAz.tf, "aws_subnet");
    expect(subnets).toHaveLength(6);
    expect(perAz.json).toHaveResourceWithProperties(Subnet, {
      cidr_block: "10.30.0.0/19",
      tags: { Name: "llm-test-private-0", "kubernetes.io/role/internal-elb": "1", "kubernetes.io/cluster/llm-test": "shared" },
    });
    expect(perAz.json).toHaveResourceWithProperties(Subnet, {
      cidr_block: "10.30.224.0/22",
      map_public_ip_on_launch: false,
      tags: { Name: "llm-test-public-0", "kubernetes.io/role/elb": "1", "kubernetes.io/cluster/llm-test": "shared" },
    });
    const zones = new Set(subnets.map((s) => s["availability_zone"]));
    expect(zones.size).toBe(3); // each index picks another AZ from the data source
  });

  test("one NAT gateway per AZ, each private subnet routed through its own AZ's NAT", () => {
    expect(resourcesOf(perAz.tf, "aws_nat_gateway")).toHaveLength(3);
    const natRefs = resourcesOf(perAz.tf, "aws_route_table")
      .flatMap((t) => (t["route"] as Array<Record<string, unknown>>).map((r) => r["nat_gateway_id"]))
      .filter((r): r is string => typeof r === "string" && r.length > 0);
    expect(new Set(natRefs).size).toBe(3);
  });

  test("a single NAT gateway serves every private subnet when asked to", () => {
    expect(resourcesOf(single.tf, "aws_nat_gateway")).toHaveLength(1);
    expect(single.json).toHaveResource(NatGateway);
    const natRefs = resourcesOf(single.tf, "aws_route_table")
      .flatMap((t) => (t["route"] as Array<Record<string, unknown>>).map((r) => r["nat_gateway_id"]))
      .filter((r): r is string => typeof r === "string" && r.length > 0);
    expect(natRefs).toHaveLength(2);
    expect(new Set(natRefs).size).toBe(1);
  });

  test("an S3 gateway endpoint is attached to every route table, so model weights skip the NAT", () => {
    expect(perAz.json).toHaveResourceWithProperties(VpcEndpoint, {
      service_name: "com.amazonaws.us-east-1.s3",
      vpc_endpoint_type: "Gateway",
    });
    const endpoint = resourcesOf(perAz.tf, "aws_vpc_endpoint").find((e) => e["vpc_endpoint_type"] === "Gateway")!;
    expect(endpoint["route_table_ids"]).toHaveLength(4); // three private, one public
  });

  test("ECR interface endpoints sit in the private subnets, reachable on 443 from the VPC only", () => {
    const iface = resourcesOf(perAz.tf, "aws_vpc_endpoint").filter((e) => e["vpc_endpoint_type"] === "Interface");
    expect(iface.map((e) => e["service_name"]).sort()).toEqual(["com.amazonaws.us-east-1.ecr.api", "com.amazonaws.us-east-1.ecr.dkr"]);
    for (const e of iface) {
      expect(e["private_dns_enabled"]).toBe(true);
      expect(e["subnet_ids"]).toHaveLength(3);
    }
    const rules = resourcesOf(perAz.tf, "aws_vpc_security_group_ingress_rule");
    expect(rules).toEqual([expect.objectContaining({ cidr_ipv4: "10.30.0.0/16", from_port: 443, to_port: 443, ip_protocol: "tcp" })]);
  });

  test("the default security group is emptied", () => {
    const sg = resourcesOf(perAz.tf, "aws_default_security_group")[0]!;
    expect(sg["ingress"]).toBeUndefined();
    expect(sg["egress"]).toBeUndefined();
  });

  describe("refuses bad props", () => {
    test.each<[string, Partial<NetworkProps>, string]>([
      ["a malformed CIDR", { vpcCidr: "10.30.0.0/33" }, "vpcCidr (10.30.0.0/33) must be an IPv4 network in CIDR notation, e.g. 10.20.0.0/16"],
      ["host bits set", { vpcCidr: "10.30.0.1/16" }, "vpcCidr (10.30.0.1/16) must be an IPv4 network in CIDR notation, e.g. 10.20.0.0/16"],
      ["a VPC too large", { vpcCidr: "10.0.0.0/8" }, "vpcCidr (10.0.0.0/8) must have a prefix between /16 and /20"],
      ["one AZ", { azCount: 1 }, "azCount (1) must be between 2 and 4: EKS needs subnets in at least two AZs"],
      ["five AZs", { azCount: 5 }, "azCount (5) must be between 2 and 4: EKS needs subnets in at least two AZs"],
    ])("%s", (_case, props, message) => {
      expect(() => new Network(new TerraformStack(Testing.app(), "t"), "n", { ...base, ...props })).toThrow(message);
    });
  });
});
