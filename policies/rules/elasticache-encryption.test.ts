import { plannedResource, runRule, synthResource } from "../testing";
import { elasticacheEncryption as rule } from "./elasticache-encryption";

const SECRET = "fixture-secret-not-to-print";
const good = { at_rest_encryption_enabled: "true", transit_encryption_enabled: true, auth_token: "${random_password.t.result}" };

describe(rule.id, () => {
  it("passes encryption at rest and in transit with an AUTH token", () => {
    expect(runRule(rule, synthResource("aws_elasticache_replication_group", good)).status).toBe("compliant");
  });

  it("passes when the token is unknown at plan time (the configuration sets it)", () => {
    const r = plannedResource("aws_elasticache_replication_group", { at_rest_encryption_enabled: "true", transit_encryption_enabled: true }, { auth_token: true });
    expect(runRule(rule, r).status).toBe("compliant");
  });

  it("fails without transit encryption or AUTH, naming each, never printing the token", () => {
    const r = synthResource("aws_elasticache_replication_group", { at_rest_encryption_enabled: "true", transit_encryption_enabled: false });
    expect(runRule(rule, r).message).toBe("transit_encryption_enabled is not true; neither auth_token nor user_group_ids is set (no AUTH)");
    const preferred = synthResource("aws_elasticache_replication_group", { ...good, auth_token: SECRET, transit_encryption_mode: "preferred" });
    const result = runRule(rule, preferred);
    expect(result.status).toBe("non-compliant");
    expect(result.message).not.toContain(SECRET);
  });

  it("reports unknown encryption flags as unknown", () => {
    const r = plannedResource("aws_elasticache_replication_group", { transit_encryption_enabled: true, auth_token: SECRET }, { at_rest_encryption_enabled: true });
    expect(runRule(rule, r)).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
