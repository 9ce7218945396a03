import { plannedResource, runRule, synthResource } from "../testing";
import { eksControlPlaneLogging as rule } from "./eks-control-plane-logging";

describe(rule.id, () => {
  it("passes api, audit and authenticator", () => {
    expect(runRule(rule, synthResource("aws_eks_cluster", { enabled_cluster_log_types: ["api", "audit", "authenticator", "scheduler"] })).status).toBe("compliant");
  });

  it("fails when audit is missing, naming it", () => {
    expect(runRule(rule, synthResource("aws_eks_cluster", { enabled_cluster_log_types: ["api", "authenticator"] }))).toEqual({
      status: "non-compliant",
      message: "enabled_cluster_log_types is missing audit (has: api, authenticator)",
    });
  });

  it("fails when logging is not set at all", () => {
    expect(runRule(rule, synthResource("aws_eks_cluster", {})).message).toBe("enabled_cluster_log_types is missing api, audit, authenticator (has: none)");
  });

  it("does not call an unknown list compliant", () => {
    expect(runRule(rule, plannedResource("aws_eks_cluster", {}, { enabled_cluster_log_types: true }))).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
