import { runRule, synthResource } from "../testing";
import { qdrantPersistenceAuth as rule } from "./qdrant-persistence-auth";

const qdrant = (values: string) => synthResource("helm_release", { chart: "qdrant", repository: "https://qdrant.github.io/qdrant-helm", version: "1.15.1", values: [values] });
const SECRET_REF = "apiKey:\n  valueFrom:\n    secretKeyRef: { name: qdrant-api-key, key: api-key }\n";

describe(rule.id, () => {
  it("passes persistence with a size and an API key from a secret", () => {
    expect(runRule(rule, qdrant(`persistence:\n  size: 200Gi\n${SECRET_REF}`))).toEqual({ status: "compliant", message: "persistence 200Gi, apiKey from a Kubernetes secret" });
  });

  it("fails missing persistence and missing API key", () => {
    expect(runRule(rule, qdrant("replicaCount: 1\n")).message).toBe("persistence.size is not set (no explicit persistent volume); no apiKey (set apiKey.valueFrom.secretKeyRef)");
  });

  it("fails an API key written in the values without printing it", () => {
    const result = runRule(rule, qdrant("persistence:\n  size: 10Gi\napiKey: my-literal-qdrant-key\n"));
    expect(result.message).toBe("apiKey is written in the values (keep it in a Kubernetes secret, apiKey.valueFrom.secretKeyRef)");
    expect(result.message).not.toContain("my-literal-qdrant-key");
  });

  it("fails disabled persistence", () => {
    expect(runRule(rule, qdrant(`persistence:\n  enabled: false\n  size: 1Gi\n${SECRET_REF}`)).message).toBe("persistence.enabled is false");
  });

  it("does not apply to other releases", () => {
    expect(runRule(rule, synthResource("helm_release", { chart: "redis" })).status).toBe("not-applicable");
  });
});
