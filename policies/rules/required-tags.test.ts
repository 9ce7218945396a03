import { plannedResource, runRule, synthResource } from "../testing";
import { requiredTags as rule } from "./required-tags";

const defaults = { owner: "platform-team", "cost-center": "cc-4410", environment: "prod" };

describe(rule.id, () => {
  it("passes a synthesized resource tagged through the provider's default_tags", () => {
    expect(runRule(rule, synthResource("aws_s3_bucket", {}), [], { providerDefaultTags: defaults }).status).toBe("compliant");
  });

  it("fails a synthesized resource without default tags, naming the missing tags", () => {
    expect(runRule(rule, synthResource("aws_kms_key", { tags: { owner: "me" } }))).toEqual({ status: "non-compliant", message: "missing tags cost-center, environment" });
  });

  it("fails an environment tag that names another environment", () => {
    expect(runRule(rule, synthResource("aws_vpc", {}), [], { stack: "dev-cluster", providerDefaultTags: defaults }).message).toBe(
      "tag environment = \"prod\" but the stack belongs to environment \"dev\"",
    );
  });

  it("reads tags_all in a plan, and reports tags_all unknown at plan time", () => {
    expect(runRule(rule, plannedResource("aws_eks_node_group", { tags_all: defaults })).status).toBe("compliant");
    expect(runRule(rule, plannedResource("aws_eks_node_group", { tags_all: { owner: "x" } })).status).toBe("non-compliant");
    expect(runRule(rule, plannedResource("aws_eks_node_group", {}, { tags_all: true }))).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });

  it("does not apply to resources that take no tags", () => {
    expect(runRule(rule, synthResource("aws_route_table_association", {})).status).toBe("not-applicable");
    expect(runRule(rule, synthResource("helm_release", {})).status).toBe("not-applicable");
  });
});
