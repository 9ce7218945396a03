import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule, type RuleContext } from "../types";
import { at, boolOf, get, items, read, root } from "../values";

/** True when the stack turns on EBS encryption by default for the account and region. */
function encryptedByDefault(context: RuleContext): boolean {
  return context.ofType("aws_ebs_encryption_by_default").some((r) => boolOf(get(r, "enabled")) !== false);
}

/** LLM-EC2-002: root (and every EBS) volume of nodes is encrypted. */
export const rootVolumeEncryption: Rule = {
  id: "LLM-EC2-002",
  severity: "error",
  title: "Node root volumes are encrypted",
  rationale: "Node volumes hold container images, model weights synced from S3 and pod scratch data; an unencrypted snapshot leaks all of them.",
  recommendedAction: "Give the node group a launch template whose block_device_mappings set ebs { encrypted = true } for the root device, or enable aws_ebs_encryption_by_default.",
  appliesTo: ["aws_launch_template", "aws_instance", "aws_eks_node_group"],
  check(resource, context) {
    if (resource.type === "aws_eks_node_group") {
      if (read(at(root(resource), "launch_template")).state !== "absent") return notApplicable("volumes come from the node group's launch template (checked there)");
      return encryptedByDefault(context)
        ? compliant("no launch template; EBS encryption by default is on")
        : nonCompliant("no launch template: the root volume uses the account's EBS default, which this stack does not set to encrypted");
    }
    if (resource.type === "aws_instance") {
      const enc = boolOf(get(resource, "root_block_device", "encrypted"));
      if (enc === "unknown") return unknownAtPlanTime("root_block_device.encrypted");
      if (enc === true || encryptedByDefault(context)) return compliant("root_block_device is encrypted");
      return nonCompliant("root_block_device.encrypted is not true");
    }
    const node = at(root(resource), "block_device_mappings");
    if (read(node).state === "unknown") return unknownAtPlanTime("block_device_mappings");
    const ebs = items(node).filter((m) => read(at(m, "ebs")).state !== "absent");
    if (ebs.length === 0) {
      return encryptedByDefault(context)
        ? compliant("no block_device_mappings; EBS encryption by default is on")
        : nonCompliant("no block_device_mappings with ebs: the root volume's encryption is left to the AMI and account default");
    }
    for (const m of ebs) {
      const device = read(at(m, "device_name"));
      const name = device.state === "known" ? String(device.value) : "(device)";
      const enc = boolOf(read(at(m, "ebs", "encrypted")));
      if (enc === "unknown") return unknownAtPlanTime(`block_device_mappings ${name} ebs.encrypted`);
      if (enc !== true && !encryptedByDefault(context)) return nonCompliant(`block_device_mappings ${name}: ebs.encrypted is not true`);
    }
    return compliant(`every EBS volume of the template is encrypted (${ebs.length})`);
  },
};
