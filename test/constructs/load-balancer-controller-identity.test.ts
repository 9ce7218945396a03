import { Testing } from "cdktf";
import { EksPodIdentityAssociation } from "@cdktf/provider-aws/lib/eks-pod-identity-association";
import policy from "../../constructs/data/aws-load-balancer-controller-iam-policy.json";
import { LoadBalancerControllerIdentity, loadBalancerControllerStatements } from "../../constructs/load-balancer-controller-identity";
import { parseStack, resourcesOf } from "../support/cluster-fixtures";

const synth = (partition?: string) =>
  Testing.synthScope((scope) => {
    new LoadBalancerControllerIdentity(scope, "lbc", { clusterName: "llm-test", roleName: "llm-test-aws-load-balancer-controller", accountId: "123456789012", partition });
  });

test("the controller's role is bound by pod identity to kube-system/aws-load-balancer-controller, trusted by pods.eks.amazonaws.com", () => {
  const json = synth();
  expect(json).toHaveResourceWithProperties(EksPodIdentityAssociation, { cluster_name: "llm-test", namespace: "kube-system", service_account: "aws-load-balancer-controller" });
  const role = resourcesOf(parseStack(json), "aws_iam_role")[0]!;
  expect(JSON.parse(role["assume_role_policy"] as string).Statement[0].Principal).toEqual({ Service: "pods.eks.amazonaws.com" });
});

test("its policy is the upstream policy of the pinned version, whole", () => {
  expect(policy.source).toBe("kubernetes-sigs/aws-load-balancer-controller@v2.14.1:docs/install/iam_policy.json");
  const inline = resourcesOf(parseStack(synth()), "aws_iam_role_policy")[0]!;
  const doc = JSON.parse(inline["policy"] as string) as { Statement: Array<{ Action: string | string[] }> };
  expect(doc.Statement).toEqual(policy.Statement);
  const actions = doc.Statement.flatMap((s) => s.Action);
  expect(actions).toEqual(expect.arrayContaining(["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:RegisterTargets", "ec2:CreateSecurityGroup"]));
  // IAM allows 10,240 characters of inline policy per role.
  expect((inline["policy"] as string).length).toBeLessThan(10240);
});

test("ARNs follow the partition (GovCloud)", () => {
  const text = JSON.stringify(loadBalancerControllerStatements("aws-us-gov"));
  expect(text).toContain('"arn:aws-us-gov:ec2:*:*:security-group/*"');
  expect(text).not.toContain('"arn:aws:');
});
