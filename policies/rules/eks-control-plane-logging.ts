import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { get, stringListOf } from "../values";

/** Control-plane log types every cluster must send to CloudWatch. */
export const REQUIRED_LOG_TYPES = ["api", "audit", "authenticator"] as const;

/** LLM-EKS-002: control-plane logging on. */
export const eksControlPlaneLogging: Rule = {
  id: "LLM-EKS-002",
  severity: "error",
  title: "EKS control-plane logging is on (api, audit, authenticator)",
  rationale: "The audit and authenticator logs are the only record of who did what to the cluster; they cannot be recovered after the fact.",
  recommendedAction: "Set enabled_cluster_log_types to include api, audit and authenticator, with a CloudWatch log group that has a retention period.",
  appliesTo: ["aws_eks_cluster"],
  check(resource) {
    const types = stringListOf(get(resource, "enabled_cluster_log_types"));
    if (types === "unknown") return unknownAtPlanTime("enabled_cluster_log_types");
    const enabled = types?.values ?? [];
    const missing = REQUIRED_LOG_TYPES.filter((t) => !enabled.includes(t));
    if (missing.length > 0 && types && types.unknownElements > 0) return unknownAtPlanTime("enabled_cluster_log_types elements");
    if (missing.length > 0) return nonCompliant(`enabled_cluster_log_types is missing ${missing.join(", ")} (has: ${enabled.join(", ") || "none"})`);
    return compliant(`control-plane logs enabled: ${enabled.join(", ")}`);
  },
};
