import { plannedResource, runRule, synthResource } from "../testing";
import { eksSecretsEncryption as rule } from "./eks-secrets-encryption";

describe(rule.id, () => {
  it("passes a synthesized cluster whose secrets use a KMS key (cdktf block as object, key as token)", () => {
    const r = synthResource("aws_eks_cluster", { encryption_config: { resources: ["secrets"], provider: { key_arn: "${aws_kms_key.k.arn}" } } });
    expect(runRule(rule, r)).toEqual({ status: "compliant", message: "secrets are encrypted with KMS key (known after apply)" });
  });

  it("passes a planned cluster whose key ARN is known", () => {
    const r = plannedResource("aws_eks_cluster", { encryption_config: [{ resources: ["secrets"], provider: [{ key_arn: "arn:aws:kms:us-east-1:1:key/a" }] }] });
    expect(runRule(rule, r).status).toBe("compliant");
  });

  it("fails a cluster without encryption_config", () => {
    expect(runRule(rule, synthResource("aws_eks_cluster", { name: "c" }))).toEqual({ status: "non-compliant", message: "encryption_config does not encrypt \"secrets\" with a KMS key" });
  });

  it("fails encryption_config without a key", () => {
    const r = synthResource("aws_eks_cluster", { encryption_config: { resources: ["secrets"], provider: {} } });
    expect(runRule(rule, r).message).toBe("encryption_config covers secrets but provider.key_arn is not set");
  });

  it("reports an encryption_config unknown at plan time as not compliant", () => {
    const result = runRule(rule, plannedResource("aws_eks_cluster", {}, { encryption_config: true }));
    expect(result).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
    expect(result.message).toMatch(/^unknown at plan time: encryption_config/);
  });
});
