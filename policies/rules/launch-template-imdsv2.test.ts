import { plannedResource, runRule, synthResource } from "../testing";
import { launchTemplateImdsv2 as rule } from "./launch-template-imdsv2";

describe(rule.id, () => {
  it("passes http_tokens required", () => {
    expect(runRule(rule, synthResource("aws_launch_template", { metadata_options: { http_tokens: "required" } })).status).toBe("compliant");
  });

  it.each([
    [{ metadata_options: { http_tokens: "optional" } }, "metadata_options.http_tokens = \"optional\" (IMDSv1 stays available)"],
    [{}, "metadata_options.http_tokens is not set (IMDSv1 stays available)"],
  ])("fails %j", (values, message) => {
    expect(runRule(rule, synthResource("aws_launch_template", values))).toEqual({ status: "non-compliant", message });
  });

  it("treats an unknown http_tokens as unknown at plan time", () => {
    const r = plannedResource("aws_launch_template", { metadata_options: [{}] }, { metadata_options: [{ http_tokens: true }] });
    expect(runRule(rule, r)).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
