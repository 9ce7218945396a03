import { fixtureConfig, runRule, synthResource } from "../testing";
import { eksEndpointAccess as rule, isProduction } from "./eks-endpoint-access";

const cluster = (vpc: Record<string, unknown>) => synthResource("aws_eks_cluster", { vpc_config: vpc as never });

describe(rule.id, () => {
  it("passes a private prod endpoint", () => {
    expect(runRule(rule, cluster({ endpoint_public_access: false }), [], { stack: "prod-cluster" }).status).toBe("compliant");
  });

  it("fails a prod endpoint that is public by default (not set)", () => {
    expect(runRule(rule, cluster({}), [], { stack: "prod-cluster" })).toEqual({
      status: "non-compliant",
      message: "the API endpoint is public to 0.0.0.0/0 (endpoint_public_access is on and public_access_cidrs is not set)",
    });
  });

  it("fails 0.0.0.0/0 in public_access_cidrs", () => {
    const r = cluster({ endpoint_public_access: true, public_access_cidrs: ["10.0.0.0/8", "0.0.0.0/0"] });
    expect(runRule(rule, r, [], { stack: "prod-cluster" }).message).toBe("the API endpoint is public to 0.0.0.0/0");
  });

  it("fails public access when the environment file asks for a private endpoint", () => {
    const r = cluster({ endpoint_public_access: true, public_access_cidrs: ["203.0.113.0/24"] });
    expect(runRule(rule, r, [], { stack: "prod-cluster", config: fixtureConfig() }).message).toBe(
      "the environment file asks for a private endpoint but endpoint_public_access is on",
    );
  });

  it("passes a restricted public endpoint when no configuration says otherwise", () => {
    const r = cluster({ endpoint_public_access: "true", public_access_cidrs: ["203.0.113.0/24"] });
    expect(runRule(rule, r, [], { stack: "prod-cluster" })).toEqual({ status: "compliant", message: "the API endpoint is public only to 203.0.113.0/24" });
  });

  it("does not apply outside production", () => {
    expect(runRule(rule, cluster({}), [], { stack: "dev-cluster" }).status).toBe("not-applicable");
    expect([isProduction("prod"), isProduction("production"), isProduction("prod-eu"), isProduction("producer")]).toEqual([true, true, true, false]);
  });
});
