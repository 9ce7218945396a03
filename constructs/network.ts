/**
 * The VPC of one environment: a private subnet (nodes, pods, Redis) and a public subnet (load balancers, NAT)
 * in each availability zone, NAT gateways one per AZ or one shared, an S3 gateway endpoint so model weights do
 * not cross the NAT, ECR interface endpoints so image pulls (multi-GB vLLM images) stay inside the VPC, and the subnet tags the AWS Load Balancer Controller and EKS look for.
 */
import { Construct } from "constructs";
import { Fn } from "cdktf";
import { DataAwsAvailabilityZones } from "@cdktf/provider-aws/lib/data-aws-availability-zones";
import { Eip } from "@cdktf/provider-aws/lib/eip";
import { InternetGateway } from "@cdktf/provider-aws/lib/internet-gateway";
import { NatGateway } from "@cdktf/provider-aws/lib/nat-gateway";
import { RouteTable } from "@cdktf/provider-aws/lib/route-table";
import { RouteTableAssociation } from "@cdktf/provider-aws/lib/route-table-association";
import { Subnet } from "@cdktf/provider-aws/lib/subnet";
import { Vpc } from "@cdktf/provider-aws/lib/vpc";
import { VpcEndpoint } from "@cdktf/provider-aws/lib/vpc-endpoint";
import { DefaultSecurityGroup } from "@cdktf/provider-aws/lib/default-security-group";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { MAX_LAYOUT_AZS, parseCidr, subnetLayout } from "./private/cidr";

/** Props of Network. */
export interface NetworkProps {
  /** Name prefix of every network resource (the cluster name). */
  readonly name: string;
  /** EKS cluster name the subnets are tagged for (kubernetes.io/cluster/<name>). */
  readonly clusterName: string;
  /** VPC CIDR, /16 to /20. */
  readonly vpcCidr: string;
  /** Availability zones to spread over, 2 to 4. */
  readonly azCount: number;
  /** One NAT gateway per AZ (an AZ outage keeps egress elsewhere) or one shared (cheaper). @default "one-per-az" */
  readonly natGateways?: "one-per-az" | "single";
  /** AWS region, for the S3 endpoint's service name. */
  readonly region: string;
}

/** A VPC with private and public subnets across availability zones. */
export class Network extends Construct {
  /** The VPC. */
  readonly vpc: Vpc;
  /** VPC id (token). */
  readonly vpcId: string;
  /** Private subnet ids, one per AZ, for nodes and internal services. */
  readonly privateSubnetIds: string[];
  /** Public subnet ids, one per AZ, for internet-facing load balancers. */
  readonly publicSubnetIds: string[];
  /** Subnet CIDRs as laid out at synth time. */
  readonly layout: { readonly private: readonly string[]; readonly public: readonly string[] };
  /** Number of NAT gateways created. */
  readonly natGatewayCount: number;
  /** AWS services reached through interface endpoints (PrivateLink). */
  readonly interfaceEndpointServices: readonly string[];

  constructor(scope: Construct, id: string, props: NetworkProps) {
    super(scope, id);
    const parsed = parseCidr(props.vpcCidr);
    if (!parsed) throw new Error(`vpcCidr (${props.vpcCidr}) must be an IPv4 network in CIDR notation, e.g. 10.20.0.0/16`);
    if (parsed.prefix < 16 || parsed.prefix > 20) {
      throw new Error(`vpcCidr (${props.vpcCidr}) must have a prefix between /16 and /20`);
    }
    if (!Number.isInteger(props.azCount) || props.azCount < 2 || props.azCount > MAX_LAYOUT_AZS) {
      throw new Error(`azCount (${props.azCount}) must be between 2 and ${MAX_LAYOUT_AZS}: EKS needs subnets in at least two AZs`);
    }
    const natMode = props.natGateways ?? "one-per-az";
    this.layout = subnetLayout(props.vpcCidr, props.azCount);
    const clusterTag = { [`kubernetes.io/cluster/${props.clusterName}`]: "shared" };

    const zones = new DataAwsAvailabilityZones(this, "zones", {
      state: "available",
      filter: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
    });

    this.vpc = new Vpc(this, "vpc", {
      cidrBlock: props.vpcCidr,
      enableDnsSupport: true,
      enableDnsHostnames: true,
      tags: { Name: props.name },
    });
    this.vpcId = this.vpc.id;

    // The default security group allows all traffic between its members; nothing should use it, so empty it.
    new DefaultSecurityGroup(this, "default-sg", { vpcId: this.vpc.id, tags: { Name: `${props.name}-default-unused` } });

    const igw = new InternetGateway(this, "igw", { vpcId: this.vpc.id, tags: { Name: props.name } });

    const azName = (i: number) => Fn.element(zones.names, i);
    const publicSubnets = this.layout.public.map(
      (cidrBlock, i) =>
        new Subnet(this, `public-${i}`, {
          vpcId: this.vpc.id,
          cidrBlock,
          availabilityZone: azName(i),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${props.name}-public-${i}`, "kubernetes.io/role/elb": "1", ...clusterTag },
        }),
    );
    const privateSubnets = this.layout.private.map(
      (cidrBlock, i) =>
        new Subnet(this, `private-${i}`, {
          vpcId: this.vpc.id,
          cidrBlock,
          availabilityZone: azName(i),
          tags: { Name: `${props.name}-private-${i}`, "kubernetes.io/role/internal-elb": "1", ...clusterTag },
        }),
    );
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);

    const publicRoutes = new RouteTable(this, "public-routes", {
      vpcId: this.vpc.id,
      route: [{ cidrBlock: "0.0.0.0/0", gatewayId: igw.id }],
      tags: { Name: `${props.name}-public` },
    });
    publicSubnets.forEach((s, i) => new RouteTableAssociation(this, `public-${i}-routes`, { subnetId: s.id, routeTableId: publicRoutes.id }));

    this.natGatewayCount = natMode === "single" ? 1 : props.azCount;
    const nats = [...Array(this.natGatewayCount).keys()].map((i) => {
      const eip = new Eip(this, `nat-${i}-ip`, { domain: "vpc", tags: { Name: `${props.name}-nat-${i}` }, dependsOn: [igw] });
      return new NatGateway(this, `nat-${i}`, {
        allocationId: eip.allocationId,
        subnetId: publicSubnets[i]!.id,
        tags: { Name: `${props.name}-nat-${i}` },
        dependsOn: [igw],
      });
    });

    const privateRouteTables = privateSubnets.map((s, i) => {
      const nat = nats[natMode === "single" ? 0 : i]!;
      const table = new RouteTable(this, `private-${i}-routes`, {
        vpcId: this.vpc.id,
        route: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nat.id }],
        tags: { Name: `${props.name}-private-${i}` },
      });
      new RouteTableAssociation(this, `private-${i}-association`, { subnetId: s.id, routeTableId: table.id });
      return table;
    });

    new VpcEndpoint(this, "s3-endpoint", {
      vpcId: this.vpc.id,
      serviceName: `com.amazonaws.${props.region}.s3`,
      vpcEndpointType: "Gateway",
      routeTableIds: [...privateRouteTables.map((t) => t.id), publicRoutes.id],
      tags: { Name: `${props.name}-s3` },
    });

    // ECR API and registry endpoints: nodes pull images over PrivateLink (image layers themselves come from S3,
    // through the gateway endpoint above). HTTPS only, from inside the VPC only.
    const endpointsSg = new SecurityGroup(this, "endpoints-sg", {
      name: `${props.name}-vpc-endpoints`,
      description: "HTTPS from inside the VPC to the interface endpoints",
      vpcId: this.vpc.id,
      tags: { Name: `${props.name}-vpc-endpoints` },
    });
    new VpcSecurityGroupIngressRule(this, "endpoints-https", {
      securityGroupId: endpointsSg.id,
      description: "HTTPS from the VPC",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: props.vpcCidr,
    });
    this.interfaceEndpointServices = ["ecr.api", "ecr.dkr"];
    for (const service of this.interfaceEndpointServices) {
      new VpcEndpoint(this, `${service.replace(".", "-")}-endpoint`, {
        vpcId: this.vpc.id,
        serviceName: `com.amazonaws.${props.region}.${service}`,
        vpcEndpointType: "Interface",
        privateDnsEnabled: true,
        subnetIds: this.privateSubnetIds,
        securityGroupIds: [endpointsSg.id],
        tags: { Name: `${props.name}-${service}` },
      });
    }
  }
}
