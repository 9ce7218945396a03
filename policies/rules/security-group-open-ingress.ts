import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type PolicyResource, type Rule, type RuleContext, type RuleResult } from "../types";
import { at, get, items, numberOf, read, root, stringListOf, stringMapOf, stringOf, type Node } from "../values";

const OPEN = ["0.0.0.0/0", "::/0"];
/** Tag marking a security group that fronts a load balancer created outside this stack (e.g. by the LB controller). */
export const LOAD_BALANCER_TAG = { key: "llm-platform.io/purpose", value: "load-balancer" } as const;

/** True when the security group is attached to a load balancer of this stack or tagged as a load balancer's. */
function isLoadBalancerGroup(sg: PolicyResource, context: RuleContext): boolean {
  if (["aws_lb", "aws_alb", "aws_elb"].some((t) => context.referencing(sg, t, "security_groups").length > 0)) return true;
  const tags = stringMapOf(get(sg, "tags"));
  return tags !== undefined && tags !== "unknown" && tags.map[LOAD_BALANCER_TAG.key] === LOAD_BALANCER_TAG.value;
}

interface Ingress {
  readonly cidrs: readonly string[] | "unknown";
  readonly from: number | "unknown" | undefined;
  readonly to: number | "unknown" | undefined;
  readonly protocol: string | "unknown" | undefined;
}

function cidrsAt(node: Node, attrs: readonly string[]): string[] | "unknown" {
  const out: string[] = [];
  for (const a of attrs) {
    const l = read(at(node, a));
    if (l.state === "unknown") return "unknown";
    const list = stringListOf(l);
    if (list === "unknown" || (list && list.unknownElements > 0)) return "unknown";
    out.push(...(list?.values ?? []));
  }
  return out;
}

function ingressOf(node: Node, cidrAttrs: readonly string[], protocolAttr: string): Ingress {
  return {
    cidrs: cidrsAt(node, cidrAttrs),
    from: numberOf(read(at(node, "from_port"))),
    to: numberOf(read(at(node, "to_port"))),
    protocol: stringOf(read(at(node, protocolAttr))),
  };
}

/** Judges one ingress permission on a security group. */
function judge(ingress: Ingress, sg: PolicyResource | undefined, context: RuleContext, where: string): RuleResult {
  if (ingress.cidrs === "unknown") return unknownAtPlanTime(`${where} source CIDRs`);
  const open = ingress.cidrs.filter((c) => OPEN.includes(c));
  if (open.length === 0) return compliant(`${where}: no ingress from 0.0.0.0/0 or ::/0`);
  if (ingress.from === "unknown" || ingress.to === "unknown" || ingress.protocol === "unknown") return unknownAtPlanTime(`${where} ports/protocol`);
  const https = ingress.from === 443 && ingress.to === 443 && (ingress.protocol === "tcp" || ingress.protocol === "6");
  const ports = ingress.protocol === "-1" || ingress.protocol === "all" ? "all ports" : `${ingress.protocol ?? "?"} ${ingress.from ?? "?"}-${ingress.to ?? "?"}`;
  if (!https) return nonCompliant(`${where}: ingress from ${open.join(", ")} on ${ports}`);
  if (!sg) return unknownAtPlanTime(`${where} target security group`);
  if (!isLoadBalancerGroup(sg, context)) return nonCompliant(`${where}: ingress from ${open.join(", ")} on 443 to ${sg.address}, which is not a load balancer's security group`);
  return compliant(`${where}: 443 from ${open.join(", ")} to load balancer security group ${sg.address}`);
}

/** The security group a standalone rule belongs to. */
function groupOf(rule: PolicyResource, context: RuleContext): PolicyResource | undefined {
  return context.ofType("aws_security_group").find((sg) => context.referencing(sg, rule.type, "security_group_id").includes(rule));
}

/** LLM-NET-001: no ingress from the internet except HTTPS to load balancers. */
export const securityGroupOpenIngress: Rule = {
  id: "LLM-NET-001",
  severity: "error",
  title: "No security group ingress from 0.0.0.0/0 except to load balancers on 443",
  rationale: "Nodes, Redis and the API server have no business being reachable from the internet; the only public entry is HTTPS on the load balancer in front of the gateway.",
  recommendedAction: "Restrict the rule's source to a security group or private CIDR; for public traffic put a load balancer in front and open only tcp/443 on its security group.",
  appliesTo: ["aws_security_group", "aws_default_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
  check(resource, context) {
    if (resource.type === "aws_vpc_security_group_ingress_rule") {
      return judge(ingressOf(root(resource), ["cidr_ipv4", "cidr_ipv6"], "ip_protocol"), groupOf(resource, context), context, "rule");
    }
    if (resource.type === "aws_security_group_rule") {
      const type = stringOf(get(resource, "type"));
      if (type === "unknown") return unknownAtPlanTime("type");
      if (type !== "ingress") return notApplicable("egress rule");
      return judge(ingressOf(root(resource), ["cidr_blocks", "ipv6_cidr_blocks"], "protocol"), groupOf(resource, context), context, "rule");
    }
    const node = at(root(resource), "ingress");
    if (read(node).state === "unknown") return unknownAtPlanTime("ingress");
    const rules = items(node);
    if (rules.length === 0) return notApplicable("no inline ingress rules");
    for (const [i, r] of rules.entries()) {
      const result = judge(ingressOf(r, ["cidr_blocks", "ipv6_cidr_blocks"], "protocol"), resource, context, `ingress[${i}]`);
      if (result.status !== "compliant") return result;
    }
    return compliant(`${rules.length} inline ingress rule(s), none open to the internet except 443 to a load balancer`);
  },
};
