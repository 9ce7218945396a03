import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { get, numberOf, stringOf } from "../values";

/** LLM-EC2-001: IMDSv2 (session tokens) with hop limit 1 required on every launch template and instance. */
export const launchTemplateImdsv2: Rule = {
  id: "LLM-EC2-001",
  severity: "error",
  title: "IMDSv2 with hop limit 1 is required on every launch template",
  rationale: "IMDSv1 answers any request from the node, and a hop limit above 1 lets IMDSv2 answer pods too, so an SSRF in a pod (a model server fetching URLs, a RAG ingester) can steal the node role's credentials; pods get theirs from EKS Pod Identity.",
  recommendedAction: "Set metadata_options { http_tokens = \"required\", http_put_response_hop_limit = 1 } on the launch template.",
  appliesTo: ["aws_launch_template", "aws_instance"],
  check(resource) {
    const tokens = stringOf(get(resource, "metadata_options", "http_tokens"));
    if (tokens === "unknown") return unknownAtPlanTime("metadata_options.http_tokens");
    if (tokens !== "required") return nonCompliant(tokens === undefined ? "metadata_options.http_tokens is not set (IMDSv1 stays available)" : `metadata_options.http_tokens = "${tokens}" (IMDSv1 stays available)`);
    const hops = numberOf(get(resource, "metadata_options", "http_put_response_hop_limit"));
    if (hops === "unknown") return unknownAtPlanTime("metadata_options.http_put_response_hop_limit");
    if (hops === undefined) return nonCompliant("metadata_options.http_put_response_hop_limit is not set (the EKS AL2023 AMIs default to 2: pods reach IMDS)");
    if (hops > 1) return nonCompliant(`metadata_options.http_put_response_hop_limit = ${hops} (pods reach IMDS and the node role's credentials)`);
    return compliant("metadata_options.http_tokens = \"required\", http_put_response_hop_limit = 1");
  },
};
