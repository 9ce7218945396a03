/**
 * The launch template every managed node group uses: IMDSv2 required (hop limit 2 so pods on the node's network
 * can still reach it through the VPC CNI), an encrypted gp3 root volume, and tags on instances and volumes
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
        httpPutResponseHopLimit: 2,
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
