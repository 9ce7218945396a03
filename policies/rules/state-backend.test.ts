import { runRule, synthResource } from "../testing";
import { stateBackend as rule } from "./state-backend";

const backend = (name: string, values: Record<string, unknown>) => synthResource("terraform_backend", values as never, name);

describe(rule.id, () => {
  it("passes an encrypted S3 backend with a lock file or a DynamoDB table", () => {
    expect(runRule(rule, backend("s3", { bucket: "b", key: "k", encrypt: true, use_lockfile: true })).status).toBe("compliant");
    expect(runRule(rule, backend("s3", { bucket: "b", key: "k", encrypt: true, dynamodb_table: "locks" })).message).toBe("S3 backend, encrypted, locked with DynamoDB table locks");
  });

  it("fails an unencrypted, unlocked S3 backend and local state", () => {
    expect(runRule(rule, backend("s3", { bucket: "b", key: "k" })).message).toBe("encrypt is not true; no locking (use_lockfile or dynamodb_table)");
    expect(runRule(rule, backend("local", {})).status).toBe("non-compliant");
  });
});
