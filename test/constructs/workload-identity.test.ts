import { Testing, TerraformStack } from "cdktf";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import { WorkloadIdentity, type WorkloadIdentityProps } from "../../constructs/workload-identity";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const base: WorkloadIdentityProps = {
  clusterName: "llm-test",
  roleName: "llm-test-gateway",
  namespace: "llm-gateway",
  serviceAccount: "llm-gateway",
  accountId: "123456789012",
  description: "gateway",
};

describe("WorkloadIdentity", () => {
  // given an identity with one inline policy, when synthesized
  let identity: WorkloadIdentity | undefined;
  const json = Testing.synthScope((scope) => {
    identity = new WorkloadIdentity(scope, "gateway", base);
    identity.addPolicy("read-secret", [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: "arn:aws:secretsmanager:us-east-1:123456789012:secret:x" }]);
  });
  const tf = parseStack(json);

  test("the role trusts only EKS Pod Identity of the environment's account", () => {
    const role = resourcesOf(tf, "aws_iam_role")[0]!;
    expect(role["name"]).toBe("llm-test-gateway");
    expect(JSON.parse(role["assume_role_policy"] as string).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
        Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
      },
    ]);
  });

  test("an association binds the role to the namespace and service account", () => {
    expect(json).toHaveResourceWithProperties(EksPodIdentityAssociation, {
      cluster_name: "llm-test",
      namespace: "llm-gateway",
      service_account: "llm-gateway",
      role_arn: expect.stringMatching(/^\$\{aws_iam_role\..+\.arn\}$/),
    });
    expect(identity!.identity).toMatchObject({ namespace: "llm-gateway", serviceAccount: "llm-gateway" });
  });

  test("addPolicy attaches an inline policy to the role", () => {
    const policy = resourcesOf(tf, "aws_iam_role_policy")[0]!;
    expect(policy["name"]).toBe("read-secret");
    expect(JSON.parse(policy["policy"] as string).Statement[0].Action).toEqual(["secretsmanager:GetSecretValue"]);
  });

  const stack = () => new TerraformStack(Testing.app(), "t");
  test.each<[string, Partial<WorkloadIdentityProps>, string]>([
    ["an upper-case namespace", { namespace: "LLM" }, "namespace (LLM) must be a Kubernetes name: lowercase letters, digits and '-', at most 63 characters"],
    ["a service account with '_'", { serviceAccount: "llm_gateway" }, "serviceAccount (llm_gateway) must be a Kubernetes name: lowercase letters, digits and '-', at most 63 characters"],
    ["a role name over 64 characters", { roleName: "r".repeat(65) }, `roleName (${"r".repeat(65)}) is 65 characters; IAM allows at most 64`],
  ])("refuses %s", (_case, props, message) => {
    expect(() => new WorkloadIdentity(stack(), "w", { ...base, ...props })).toThrow(message);
  });

  test("refuses an empty policy", () => {
    const w = new WorkloadIdentity(stack(), "w", base);
    expect(() => w.addPolicy("nothing", [])).toThrow("statements (0) of policy nothing must not be empty");
  });
});
