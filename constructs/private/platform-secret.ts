/**
 * A generated credential: a random_password stored in one Kubernetes secret per namespace that needs it
 * (secretKeyRef cannot cross namespaces). Charts reference the secret by name; the value appears only in
 * Terraform state (encrypted S3 backend) and in etcd (KMS-encrypted by the cluster layer), never in
 * synthesized output, values or errors.
 */
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { Password } from "@cdktf/provider-random/lib/password";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";

/** Props of GeneratedSecret. */
export interface GeneratedSecretProps {
  /** Secret name (same in every namespace). */
  readonly secretName: string;
  /** Key of the value in the secret. */
  readonly key: string;
  /** Namespaces that get a copy. */
  readonly namespaces: readonly string[];
  /** Extra constant keys (e.g. a user name). @default {} */
  readonly extraData?: Readonly<Record<string, string>>;
  /** Password length. @default 32 */
  readonly length?: number;
  /** What must exist first (the namespaces). @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** A random password in Kubernetes secrets. */
export class GeneratedSecret extends Construct {
  /** Secret name. */
  readonly secretName: string;
  /** Key holding the password. */
  readonly key: string;
  /** The secrets, one per namespace. */
  readonly secrets: readonly SecretV1[];

  constructor(scope: Construct, id: string, props: GeneratedSecretProps) {
    super(scope, id);
    const length = props.length ?? 32;
    if (length < 16) throw new Error(`length (${length}) must be at least 16`);
    if (props.namespaces.length === 0) throw new Error("namespaces must name at least one namespace");
    this.secretName = props.secretName;
    this.key = props.key;
    // Alphanumeric only: the value ends up in URLs and config files of tools that mis-handle quoting.
    const password = new Password(this, "value", { length, special: false, minUpper: 2, minLower: 2, minNumeric: 2 });
    this.secrets = props.namespaces.map(
      (namespace) =>
        new SecretV1(this, `secret-${namespace}`, {
          metadata: { name: props.secretName, namespace, labels: { "app.kubernetes.io/managed-by": "terraform", "app.kubernetes.io/part-of": "llm-platform" } },
          type: "Opaque",
          data: { ...props.extraData, [props.key]: password.result },
          dependsOn: props.dependsOn ? [...props.dependsOn] : undefined,
        }),
    );
  }
}
