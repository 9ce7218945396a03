/**
 * The encrypted gp3 StorageClass every stateful release uses (Qdrant, Prometheus, in-cluster Redis): EBS CSI,
 * encryption on, volumes bound where the pod lands (WaitForFirstConsumer keeps volume and pod in one AZ),
 * expandable, and retained on release deletion so a mistaken uninstall keeps the data.
 */
import { Construct } from "constructs";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";

/** Name of the platform's StorageClass. */
export const ENCRYPTED_GP3 = "gp3-encrypted";

/** The encrypted gp3 StorageClass. */
export class EncryptedGp3StorageClass extends Construct {
  /** Its name. */
  readonly name = ENCRYPTED_GP3;
  /** The resource. */
  readonly resource: StorageClassV1;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.resource = new StorageClassV1(this, "storage-class", {
      metadata: { name: ENCRYPTED_GP3 },
      storageProvisioner: "ebs.csi.aws.com",
      reclaimPolicy: "Retain",
      volumeBindingMode: "WaitForFirstConsumer",
      allowVolumeExpansion: true,
      parameters: { type: "gp3", encrypted: "true", fsType: "ext4" },
    });
  }
}
