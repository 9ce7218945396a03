/** IAM policy documents as plain objects, serialized with JSON.stringify (tokens inside strings resolve). */

/** One statement of an IAM policy document. */
export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: "Allow" | "Deny";
  readonly Principal?: Record<string, string | string[]> | "*";
  readonly Action: string | string[];
  readonly Resource?: string | string[];
  readonly Condition?: Record<string, Record<string, string | string[]>>;
}

/** Serializes statements into an IAM policy document. */
export function policyDocument(statements: readonly PolicyStatement[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** A trust policy letting an AWS service assume the role. */
export function serviceTrustPolicy(service: string, actions: readonly string[] = ["sts:AssumeRole"]): string {
  return policyDocument([{ Effect: "Allow", Principal: { Service: service }, Action: [...actions] }]);
}

/** The AWS partition of a region ("aws", or "aws-us-gov" for GovCloud), for ARNs of AWS-managed policies. */
export function partitionOf(region: string): string {
  return region.startsWith("us-gov-") ? "aws-us-gov" : "aws";
}

/** ARN of an AWS-managed IAM policy, e.g. managedPolicyArn("aws", "AmazonEKSClusterPolicy"). */
export function managedPolicyArn(partition: string, name: string): string {
  return `arn:${partition}:iam::aws:policy/${name}`;
}
