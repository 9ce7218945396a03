import { plannedResource, runRule, synthResource } from "../testing";
import { rootVolumeEncryption as rule } from "./root-volume-encryption";

const lt = (encrypted: unknown) => synthResource("aws_launch_template", { block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: encrypted as string, volume_type: "gp3" } }] });

describe(rule.id, () => {
  it("passes an encrypted root volume (cdktf writes \"true\")", () => {
    expect(runRule(rule, lt("true")).status).toBe("compliant");
  });

  it("fails an unencrypted root volume", () => {
    expect(runRule(rule, lt("false"))).toEqual({ status: "non-compliant", message: "block_device_mappings /dev/xvda: ebs.encrypted is not true" });
  });

  it("fails a template without block device mappings unless EBS encryption by default is on", () => {
    const bare = synthResource("aws_launch_template", {});
    expect(runRule(rule, bare).status).toBe("non-compliant");
    expect(runRule(rule, bare, [synthResource("aws_ebs_encryption_by_default", { enabled: true })]).status).toBe("compliant");
  });

  it("defers node groups with a launch template to the template, and fails those without one", () => {
    expect(runRule(rule, synthResource("aws_eks_node_group", { launch_template: { id: "${aws_launch_template.x.id}" } })).status).toBe("not-applicable");
    expect(runRule(rule, synthResource("aws_eks_node_group", {})).status).toBe("non-compliant");
  });

  it("treats unknown encryption as unknown at plan time", () => {
    const r = plannedResource("aws_launch_template", { block_device_mappings: [{ device_name: "/dev/xvda", ebs: [{}] }] }, { block_device_mappings: [{ ebs: [{ encrypted: true }] }] });
    expect(runRule(rule, r)).toMatchObject({ status: "non-compliant", unknownAtPlanTime: true });
  });
});
