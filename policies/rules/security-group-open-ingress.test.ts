import { plannedResource, runRule, synthResource } from "../testing";
import { securityGroupOpenIngress as rule } from "./security-group-open-ingress";

const lbSg = synthResource("aws_security_group", { name: "lb" }, "lb");
const lb = synthResource("aws_lb", { security_groups: ["${aws_security_group.lb.id}"] }, "gateway");
const ingress = (values: Record<string, unknown>) => synthResource("aws_vpc_security_group_ingress_rule", { security_group_id: "${aws_security_group.lb.id}", ...values } as never, "r");

describe(rule.id, () => {
  it("passes 443 from anywhere to a load balancer's security group", () => {
    const r = ingress({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443, ip_protocol: "tcp" });
    expect(runRule(rule, r, [lbSg, lb]).status).toBe("compliant");
  });

  it("passes ingress from a private CIDR", () => {
    expect(runRule(rule, ingress({ cidr_ipv4: "10.0.0.0/8", from_port: 6379, to_port: 6379, ip_protocol: "tcp" }), [lbSg]).status).toBe("compliant");
  });

  it("fails 443 from anywhere to a group no load balancer uses", () => {
    const r = ingress({ cidr_ipv4: "0.0.0.0/0", from_port: 443, to_port: 443, ip_protocol: "tcp" });
    expect(runRule(rule, r, [lbSg]).message).toBe("rule: ingress from 0.0.0.0/0 on 443 to aws_security_group.lb, which is not a load balancer's security group");
  });

  it("fails an inline rule open to ::/0 on all ports", () => {
    const sg = synthResource("aws_security_group", { ingress: [{ cidr_blocks: [], ipv6_cidr_blocks: ["::/0"], from_port: 0, to_port: 0, protocol: "-1" }] });
    expect(runRule(rule, sg)).toEqual({ status: "non-compliant", message: "ingress[0]: ingress from ::/0 on all ports" });
  });

  it("fails an aws_security_group_rule ingress on 22 and ignores egress", () => {
    const open = synthResource("aws_security_group_rule", { type: "ingress", cidr_blocks: ["0.0.0.0/0"], from_port: 22, to_port: 22, protocol: "tcp" });
    expect(runRule(rule, open).status).toBe("non-compliant");
    expect(runRule(rule, synthResource("aws_security_group_rule", { type: "egress", cidr_blocks: ["0.0.0.0/0"] })).status).toBe("not-applicable");
  });

  it("reports an unknown source CIDR", () => {
    expect(runRule(rule, plannedResource("aws_vpc_security_group_ingress_rule", { from_port: 22, to_port: 22 }, { cidr_ipv4: true }))).toMatchObject({ unknownAtPlanTime: true });
  });
});
