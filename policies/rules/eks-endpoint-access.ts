import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { boolOf, get, stringListOf } from "../values";

/** True for production environments ("prod", "production", "prod-eu", ...). */
export function isProduction(environment: string): boolean {
  return /^prod(uction)?(-|$)/.test(environment);
}

const OPEN = ["0.0.0.0/0", "::/0"];

/** LLM-EKS-003: the production API endpoint is private, or public only to the listed CIDRs. */
export const eksEndpointAccess: Rule = {
  id: "LLM-EKS-003",
  severity: "error",
  title: "Production EKS API endpoint is not public (or restricted to listed CIDRs)",
  rationale: "A Kubernetes API open to the internet is one credential leak or one API-server CVE away from the production cluster.",
  recommendedAction: "Set vpc_config.endpoint_public_access = false (reach the API through the VPC), or restrict public_access_cidrs to the CIDRs listed in the environment file (cluster.endpoint.cidrs).",
  appliesTo: ["aws_eks_cluster"],
  check(resource, context) {
    if (!isProduction(context.environment)) return notApplicable(`environment ${context.environment} is not production`);
    const pub = boolOf(get(resource, "vpc_config", "endpoint_public_access"));
    if (pub === "unknown") return unknownAtPlanTime("vpc_config.endpoint_public_access");
    // EKS makes the endpoint public when endpoint_public_access is not set.
    if (pub === false) return compliant("the API endpoint is private (endpoint_public_access = false)");
    const cidrs = stringListOf(get(resource, "vpc_config", "public_access_cidrs"));
    if (cidrs === "unknown" || (cidrs && cidrs.unknownElements > 0)) return unknownAtPlanTime("vpc_config.public_access_cidrs");
    const list = cidrs?.values ?? [];
    if (list.length === 0) return nonCompliant("the API endpoint is public to 0.0.0.0/0 (endpoint_public_access is on and public_access_cidrs is not set)");
    const open = list.filter((c) => OPEN.includes(c));
    if (open.length > 0) return nonCompliant(`the API endpoint is public to ${open.join(", ")}`);
    const endpoint = context.config?.cluster.endpoint;
    if (endpoint?.mode === "private") return nonCompliant("the environment file asks for a private endpoint but endpoint_public_access is on");
    if (endpoint?.mode === "public-restricted") {
      const unlisted = list.filter((c) => !endpoint.cidrs.includes(c));
      if (unlisted.length > 0) return nonCompliant(`public_access_cidrs has ${unlisted.join(", ")}, not listed in cluster.endpoint.cidrs of the environment file`);
    }
    return compliant(`the API endpoint is public only to ${list.join(", ")}`);
  },
};
