/**
 * The launch template every managed node group uses: IMDSv2 required with hop limit 1, so only the node itself and
 * host-network pods (the VPC CNI, kube-proxy, the EBS CSI node plugin) reach it and no pod can take the node role's
 * credentials; workloads get AWS credentials from EKS Pod Identity, and charts that would ask IMDS for the region
 * or VPC are given them as values. An encrypted gp3 root volume, and tags on instances and volumes
 * (the provider's default tags do not reach instances an Auto Scaling group launches).
 */
import { Construct } from "constructs";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";

/** Props of NodeLaunchTemplate. */
export interface NodeLaunchTemplateProps {
  /** Launch template name prefix, unique in the account and region, e.g. "llm-prod-a100-". */
  readonly namePrefix: string;
  /** Root volume size in GiB. */
  readonly rootVolumeGiB: number;
  /** Root volume throughput in MiB/s (gp3: 125 to 1000). @default 125 */
  readonly rootVolumeThroughput?: number;
  /** Tags for the instances and volumes launched. */
  readonly tags: Readonly<Record<string, string>>;
}

/** IMDSv2 response hop limit: 1 keeps IMDS (and the node role's credentials) away from pod network namespaces. */
export const IMDS_HOP_LIMIT = 1;

/** Root device of the Amazon Linux 2023 EKS AMIs. */
export const AL2023_ROOT_DEVICE = "/dev/xvda";

/** A launch template for EKS managed node groups. */
export class NodeLaunchTemplate extends Construct {
  /** The launch template. */
  readonly template: LaunchTemplate;

  constructor(scope: Construct, id: string, props: NodeLaunchTemplateProps) {
    super(scope, id);
    this.template = new LaunchTemplate(this, "template", {
      namePrefix: props.namePrefix,
      description: `EKS managed node group ${props.namePrefix.replace(/-$/, "")}`,
      updateDefaultVersion: true,
      metadataOptions: {
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: IMDS_HOP_LIMIT,
      },
      blockDeviceMappings: [
        {
          deviceName: AL2023_ROOT_DEVICE,
          ebs: {
            volumeSize: props.rootVolumeGiB,
            volumeType: "gp3",
            iops: 3000,
            throughput: props.rootVolumeThroughput ?? 125,
            encrypted: "true",
            deleteOnTermination: "true",
          },
        },
      ],
      tagSpecifications: ["instance", "volume", "network-interface"].map((resourceType) => ({
        resourceType,
        tags: { ...props.tags },
      })),
      lifecycle: { createBeforeDestroy: true },
    });
  }
}
