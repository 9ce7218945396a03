import { compliant, nonCompliant, unknownAtPlanTime, type Rule } from "../types";
import { get, stringOf } from "../values";

/** LLM-EC2-001: IMDSv2 (session tokens) required on every launch template and instance. */
export const launchTemplateImdsv2: Rule = {
  id: "LLM-EC2-001",
  severity: "error",
  title: "IMDSv2 is required on every launch template",
  rationale: "IMDSv1 answers any request from the node, so an SSRF in a pod (a model server fetching URLs, a RAG ingester) can steal the node role's credentials.",
  recommendedAction: "Set metadata_options { http_tokens = \"required\", http_put_response_hop_limit = 2 } on the launch template.",
  appliesTo: ["aws_launch_template", "aws_instance"],
  check(resource) {
    const tokens = stringOf(get(resource, "metadata_options", "http_tokens"));
    if (tokens === "unknown") return unknownAtPlanTime("metadata_options.http_tokens");
    if (tokens === "required") return compliant("metadata_options.http_tokens = \"required\"");
    return nonCompliant(tokens === undefined ? "metadata_options.http_tokens is not set (IMDSv1 stays available)" : `metadata_options.http_tokens = "${tokens}" (IMDSv1 stays available)`);
  },
};
