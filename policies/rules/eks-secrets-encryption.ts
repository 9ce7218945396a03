import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { at, items, read, root, stringListOf } from "../values";

/** LLM-EKS-001: Kubernetes secrets are envelope-encrypted with a KMS key. */
export const eksSecretsEncryption: Rule = {
  id: "LLM-EKS-001",
  severity: "error",
  title: "EKS secrets are encrypted with a KMS key",
  rationale: "Without envelope encryption, Kubernetes secrets (API keys, Redis AUTH, OIDC client secrets) sit in etcd protected only by the disk encryption AWS applies to every cluster.",
  recommendedAction: "Set encryption_config { resources = [\"secrets\"], provider { key_arn = <KMS key with rotation> } } on the cluster.",
  appliesTo: ["aws_eks_cluster"],
  check(resource) {
    const node = at(root(resource), "encryption_config");
    if (read(node).state === "unknown") return unknownAtPlanTime("encryption_config");
    for (const cfg of items(node)) {
      const kinds = stringListOf(read(at(cfg, "resources")));
      if (kinds === "unknown") return unknownAtPlanTime("encryption_config.resources");
      if (!kinds?.values.includes("secrets")) continue;
      const key = read(at(cfg, "provider", "key_arn"));
      // An unknown key ARN is still a key: the configuration sets it (a new KMS key's ARN is known after apply).
      if (key.state === "absent") return nonCompliant("encryption_config covers secrets but provider.key_arn is not set");
      return compliant(`secrets are encrypted with KMS key ${key.state === "known" ? String(key.value) : "(known after apply)"}`);
    }
    return nonCompliant("encryption_config does not encrypt \"secrets\" with a KMS key");
  },
};
