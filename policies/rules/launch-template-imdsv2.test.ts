import { plannedResource, runRule, synthResource } from "../testing";
import { launchTemplateImdsv2 as rule } from "./launch-template-imdsv2";

describe(rule.id, () => {
  it("passes http_tokens required with hop limit 1", () => {
    expect(runRule(rule, synthResource("aws_launch_template", { metadata_options: { http_tokens: "required", http_put_response_hop_limit: 1 } })).status).toBe("compliant");
  });

  it.each([
    [{ metadata_options: { http_tokens: "optional" } }, "metadata_options.http_tokens = \"optional\" (IMDSv1 stays available)"],
    [{}, "metadata_options.http_tokens is not set (IMDSv1 stays available)"],
    [{ metadata_options: { http_tokens: "required", http_put_response_hop_limit: 2 } }, "metadata_options.http_put_response_hop_limit = 2 (pods reach IMDS and the node role's credentials)"],
    [{ metadata_options: { http_tokens: "required" } }, "metadata_options.http_put_response_hop_limit is not set (the EKS AL2023 AMIs default to 2: pods reach IMDS)"],
  ])("fails %j", (values, message) => {
    expect(runRule(rule, synthResource("aws_launch_template", values))).toEqual({ status: "non-compliant", message });
  });

  it("treats an unknown http_tokens as unknown at plan time", () => {
    const r = plannedResource("aws_launch_template", { metadata_options: [{}] }, { metadata_options: [{ http_tokens: true }] });
    expect(runRule(rule, r)).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
