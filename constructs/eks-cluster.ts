/**
 * The EKS control plane: Kubernetes version from config, secrets envelope-encrypted with a rotating KMS key,
 * control-plane logs to CloudWatch, authentication through access entries only (mode API, no aws-auth
 * ConfigMap), endpoint access private or public restricted to CIDRs, and the managed add-ons.
 *
 * Add-ons come in two waves, as EKS needs: vpc-cni, kube-proxy and eks-pod-identity-agent before any node
 * exists (nodes cannot become Ready without a CNI), coredns and aws-ebs-csi-driver after the node groups
 * (their Deployments need nodes, or the add-on stays DEGRADED and Terraform times out): `addComputeAddons`.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EksAccessEntry } from "@cdktf/provider-aws/lib/eks-access-entry";
import { EksAccessPolicyAssociation } from "@cdktf/provider-aws/lib/eks-access-policy-association";
import { DataAwsEksAddonVersion } from "@cdktf/provider-aws/lib/data-aws-eks-addon-version";
import { EksAddon } from "@cdktf/provider-aws/lib/eks-addon";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { EksCluster as EksClusterResource } from "@cdktf/provider-aws/lib/eks-cluster";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import addonVersionTable from "./data/eks-addon-versions.json";
import { LOG_RETENTION_DAYS } from "./private/aws-limits";
import { managedPolicyArn, policyDocument } from "./private/iam";
import { PodIdentityRole } from "./private/pod-identity-role";

/** Who may reach the Kubernetes API endpoint. */
export type EndpointAccess =
  | {
      readonly mode: "private";
      /** Networks admitted to the private endpoint on 443 (VPN clients, bastion, CI runners). @default [] */
      readonly allowedCidrs?: readonly string[];
      /** Security groups admitted to the private endpoint on 443. @default [] */
      readonly allowedSecurityGroupIds?: readonly string[];
    }
  | { readonly mode: "public-restricted"; readonly cidrs: readonly string[] };

/** Props of EksCluster. */
export interface EksClusterProps {
  /** Cluster name, unique in the account and region. */
  readonly clusterName: string;
  /** Kubernetes minor version, e.g. "1.33". */
  readonly kubernetesVersion: string;
  /** Private subnets the control plane's network interfaces go into (at least two AZs). */
  readonly subnetIds: readonly string[];
  /** API endpoint access. */
  readonly endpoint: EndpointAccess;
  /** IAM role ARNs granted AmazonEKSClusterAdminPolicy through access entries. */
  readonly admins: readonly string[];
  /** Days CloudWatch keeps control-plane logs. */
  readonly logRetentionDays: number;
  /** AWS account id, for trust conditions. */
  readonly accountId: string;
  /** AWS partition for ARNs. @default "aws" */
  readonly partition?: string;
}

/** Control-plane log types the cluster sends to CloudWatch. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator"] as const;
/** Add-ons created with the cluster, before any node. */
/**
 * vpc-cni settings: enforce Kubernetes NetworkPolicies (the platform's "only the gateway reaches vLLM, TEI and
 * Qdrant" policies do nothing without it).
 */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

export const BOOTSTRAP_ADDONS = ["vpc-cni", "kube-proxy", "eks-pod-identity-agent"] as const;

/** Add-ons pinned from constructs/data/eks-addon-versions.json, per Kubernetes version. */
export const PINNED_ADDONS = ["vpc-cni", "kube-proxy", "coredns"] as const;
type PinnedAddon = (typeof PINNED_ADDONS)[number];

/**
 * The pinned add-on versions for a Kubernetes version, from the table with its sources; a version missing from the
 * table is an error naming the file, so a cluster upgrade cannot leave the add-ons behind silently.
 */
export function pinnedAddonVersions(
  kubernetesVersion: string,
  table: Readonly<Record<string, Readonly<Record<string, string>>>> = addonVersionTable.versions,
): Record<PinnedAddon, string> {
  const row = table[kubernetesVersion];
  const known = Object.keys(table).sort().join(", ");
  if (!row) throw new Error(`kubernetesVersion (${kubernetesVersion}) has no add-on versions in constructs/data/eks-addon-versions.json (has ${known}); add its row from the AWS pages listed there`);
  const missing = PINNED_ADDONS.filter((a) => !/^v\d+\.\d+\.\d+-eksbuild\.\d+$/.test(row[a] ?? ""));
  if (missing.length > 0) throw new Error(`constructs/data/eks-addon-versions.json: Kubernetes ${kubernetesVersion} lacks an exact version (vX.Y.Z-eksbuild.N) of ${missing.join(", ")}`);
  return Object.fromEntries(PINNED_ADDONS.map((a) => [a, row[a]!])) as Record<PinnedAddon, string>;
}
/** Add-ons created once nodes exist. */
export const COMPUTE_ADDONS = ["coredns", "aws-ebs-csi-driver"] as const;
/** The EBS CSI controller's service account, which the add-on's pod identity association binds. */
export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";

export { LOG_RETENTION_DAYS };

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/;

/** An EKS cluster with encryption, logging, access entries and managed add-ons. */
export class EksCluster extends Construct {
  /** The cluster resource. */
  readonly cluster: EksClusterResource;
  /** Cluster name (token, so dependants wait for the cluster). */
  readonly clusterName: string;
  /** API server endpoint URL (token). */
  readonly endpoint: string;
  /** Base64 CA certificate (token). */
  readonly certificateAuthorityData: string;
  /** Security group EKS creates for the control plane and managed nodes (token). */
  readonly clusterSecurityGroupId: string;
  /** KMS key encrypting Kubernetes secrets. */
  readonly secretsKey: KmsKey;
  /** Add-ons by name. */
  readonly addons: Record<string, EksAddon> = {};
  /** The add-ons nodes need before they can become Ready (vpc-cni, kube-proxy, eks-pod-identity-agent). */
  readonly bootstrapAddons: EksAddon[];
  private readonly props: EksClusterProps;
  private readonly partition: string;
  private readonly addonVersions: Record<PinnedAddon, string>;

  constructor(scope: Construct, id: string, props: EksClusterProps) {
    super(scope, id);
    if (!/^1\.\d{2}$/.test(props.kubernetesVersion)) {
      throw new Error(`kubernetesVersion (${props.kubernetesVersion}) must be a minor version such as "1.33"`);
    }
    if (props.subnetIds.length < 2) {
      throw new Error(`subnetIds (${props.subnetIds.length}) must list subnets in at least two availability zones`);
    }
    if (props.admins.length === 0) {
      throw new Error("admins (0) must list at least one IAM role ARN, or nobody can administer the cluster");
    }
    const badAdmin = props.admins.find((a) => !IAM_ROLE_ARN.test(a));
    if (badAdmin !== undefined) throw new Error(`admins (${badAdmin}) must be IAM role ARNs, arn:aws:iam::<account>:role/<name>`);
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(props.logRetentionDays)) {
      throw new Error(`logRetentionDays (${props.logRetentionDays}) must be one of CloudWatch's periods: ${LOG_RETENTION_DAYS.join(", ")}`);
    }
    if (props.endpoint.mode === "public-restricted") {
      if (props.endpoint.cidrs.length === 0) throw new Error("endpoint.cidrs (0) must list at least one CIDR for public-restricted access");
      const open = props.endpoint.cidrs.find((c) => c.endsWith("/0"));
      if (open !== undefined) throw new Error(`endpoint.cidrs (${open}) must be restricted; /0 opens the API to the internet`);
    }
    const privateSources =
      props.endpoint.mode === "private" ? { cidrs: props.endpoint.allowedCidrs ?? [], securityGroupIds: props.endpoint.allowedSecurityGroupIds ?? [] } : { cidrs: [], securityGroupIds: [] };
    const openSource = privateSources.cidrs.find((c) => c.endsWith("/0"));
    if (openSource !== undefined) throw new Error(`endpoint.allowedCidrs (${openSource}) must be restricted; /0 admits every address that routes to the VPC`);
    const badGroup = privateSources.securityGroupIds.find((g) => !/^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/.test(g));
    if (badGroup !== undefined) throw new Error(`endpoint.allowedSecurityGroupIds (${badGroup}) must be security group ids, sg- and 8 or 17 hex digits`);
    this.props = props;
    this.partition = props.partition ?? "aws";
    this.addonVersions = pinnedAddonVersions(props.kubernetesVersion);
    const name = props.clusterName;

    this.secretsKey = new KmsKey(this, "secrets-key", {
      description: `EKS secrets encryption for ${name}`,
      enableKeyRotation: true,
      deletionWindowInDays: 30,
    });
    new KmsAlias(this, "secrets-key-alias", { name: `alias/${name}-eks-secrets`, targetKeyId: this.secretsKey.keyId });

    // EKS writes control-plane logs to exactly this group; creating it first sets its retention.
    const logs = new CloudwatchLogGroup(this, "control-plane-logs", {
      name: `/aws/eks/${name}/cluster`,
      retentionInDays: props.logRetentionDays,
    });

    const role = new IamRole(this, "cluster-role", {
      name: `${name}-cluster`,
      description: `EKS control plane of ${name}`,
      assumeRolePolicy: policyDocument([
        { Effect: "Allow", Principal: { Service: "eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] },
      ]),
    });
    const clusterPolicy = new IamRolePolicyAttachment(this, "cluster-policy", {
      role: role.name,
      policyArn: managedPolicyArn(this.partition, "AmazonEKSClusterPolicy"),
    });
    const encryptionPolicy = new IamRolePolicy(this, "cluster-encryption", {
      role: role.name,
      name: "secrets-encryption",
      policy: policyDocument([
        {
          Effect: "Allow",
          Action: ["kms:Encrypt", "kms:Decrypt", "kms:ListGrants", "kms:DescribeKey"],
          Resource: this.secretsKey.arn,
        },
      ]),
    });

    const publicAccess = props.endpoint.mode === "public-restricted";
    this.cluster = new EksClusterResource(this, "cluster", {
      name,
      version: props.kubernetesVersion,
      roleArn: role.arn,
      vpcConfig: {
        subnetIds: [...props.subnetIds],
        endpointPrivateAccess: true,
        endpointPublicAccess: publicAccess,
        publicAccessCidrs: props.endpoint.mode === "public-restricted" ? [...props.endpoint.cidrs] : undefined,
      },
      encryptionConfig: { resources: ["secrets"], provider: { keyArn: this.secretsKey.arn } },
      enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
      accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
      // The add-ons below are managed by EKS instead of the self-managed copies EKS would install.
      bootstrapSelfManagedAddons: false,
      upgradePolicy: { supportType: "STANDARD" },
      dependsOn: [logs, clusterPolicy, encryptionPolicy],
    });
    this.clusterName = this.cluster.name;
    this.endpoint = this.cluster.endpoint;
    this.certificateAuthorityData = this.cluster.certificateAuthority.get(0).data;
    this.clusterSecurityGroupId = this.cluster.vpcConfig.clusterSecurityGroupId;

    // The private endpoint's network interfaces carry the cluster security group, which admits only itself: open 443
    // to the networks and groups the operators deploy from.
    const apiIngress = (id: string, source: { cidrIpv4: string } | { referencedSecurityGroupId: string }, what: string) =>
      new VpcSecurityGroupIngressRule(this, id, {
        securityGroupId: this.clusterSecurityGroupId,
        ipProtocol: "tcp",
        fromPort: 443,
        toPort: 443,
        description: `Kubernetes API of ${name} from ${what}`,
        ...source,
      });
    privateSources.cidrs.forEach((cidrIpv4, i) => apiIngress(`api-ingress-cidr-${i}`, { cidrIpv4 }, cidrIpv4));
    privateSources.securityGroupIds.forEach((sg, i) => apiIngress(`api-ingress-sg-${i}`, { referencedSecurityGroupId: sg }, sg));

    props.admins.forEach((principalArn, i) => {
      const entry = new EksAccessEntry(this, `admin-${i}`, { clusterName: this.cluster.name, principalArn, type: "STANDARD" });
      new EksAccessPolicyAssociation(this, `admin-${i}-policy`, {
        clusterName: this.cluster.name,
        principalArn: entry.principalArn,
        policyArn: `arn:${this.partition}:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy`,
        accessScope: { type: "cluster" },
      });
    });

    this.bootstrapAddons = BOOTSTRAP_ADDONS.map((addon) =>
      this.addAddon(addon, addon === "vpc-cni" ? { configurationValues: VPC_CNI_CONFIGURATION } : {}),
    );
  }

  /**
   * Adds the add-ons that need running nodes (coredns, aws-ebs-csi-driver, the latter with its IAM role bound
   * through pod identity), after the given node groups.
   */
  addComputeAddons(nodeGroups: readonly ITerraformDependable[]): void {
    if (nodeGroups.length === 0) throw new Error("nodeGroups (0) must list at least one node group for coredns to run on");
    if (this.addons["coredns"]) throw new Error("addComputeAddons was already called for this cluster");
    this.addAddon("coredns", { dependsOn: nodeGroups });
    const ebsCsi = new PodIdentityRole(this, "ebs-csi-role", {
      roleName: `${this.props.clusterName}-ebs-csi`,
      accountId: this.props.accountId,
      description: `EBS CSI driver of ${this.props.clusterName}`,
      managedPolicyArns: [managedPolicyArn(this.partition, "service-role/AmazonEBSCSIDriverPolicy")],
    });
    this.addAddon("aws-ebs-csi-driver", {
      dependsOn: [...nodeGroups, this.addons["eks-pod-identity-agent"]!],
      podIdentityAssociation: [{ roleArn: ebsCsi.role.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT }],
    });
  }

  private addAddon(
    addonName: string,
    options: {
      dependsOn?: readonly ITerraformDependable[];
      podIdentityAssociation?: Array<{ roleArn: string; serviceAccount: string }>;
      configurationValues?: string;
    } = {},
  ): EksAddon {
    // EKS does not upgrade add-ons with the cluster: pin them per Kubernetes version (the table for the documented
    // ones, EKS's default for the version otherwise), so a version bump shows as an add-on update in the plan.
    const pinned = (this.addonVersions as Record<string, string | undefined>)[addonName];
    const addonVersion =
      pinned ??
      new DataAwsEksAddonVersion(this, `addon-${addonName}-version`, { addonName, kubernetesVersion: this.props.kubernetesVersion, mostRecent: false }).version;
    const addon = new EksAddon(this, `addon-${addonName}`, {
      clusterName: this.cluster.name,
      addonName,
      addonVersion,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "PRESERVE",
      podIdentityAssociation: options.podIdentityAssociation,
      configurationValues: options.configurationValues,
      dependsOn: options.dependsOn ? [...options.dependsOn] : undefined,
    });
    this.addons[addonName] = addon;
    return addon;
  }
}
