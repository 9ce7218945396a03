/**
 * The stacks of one environment: `<env>-cluster` (what AWS owns) and `<env>-platform` (what Kubernetes runs),
 * the platform stack configured from the cluster stack's typed outputs. Once both exist, every workload of the
 * platform is placed onto the cluster's node groups (the scheduling check), so a release that could never be
 * scheduled is a synth error rather than a Helm timeout.
 */
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "./environment-config";
import { ClusterStack } from "./cluster-stack";
import { PlatformStack } from "./platform-stack";
import { PlatformConfigError } from "../constructs/private/platform-errors";
import { checkScheduling } from "../constructs/private/scheduling-check";
import { EKS_ADDONS_RELEASE } from "../constructs/private/eks-addon-workloads";

/** The stacks created for one environment. */
export interface EnvironmentStacks {
  readonly cluster: ClusterStack;
  readonly platform: PlatformStack;
}

/** Adds an environment's stacks to the app; throws PlatformConfigError when a workload cannot be scheduled. */
export function addEnvironmentStacks(scope: Construct, env: EnvironmentConfig): EnvironmentStacks {
  const cluster = new ClusterStack(scope, `${env.name}-cluster`, { env });
  const platform = new PlatformStack(scope, `${env.name}-platform`, { env, cluster: cluster.outputs });
  platform.addDependency(cluster);
  assertSchedulable(env.name, cluster, platform);
  return { cluster, platform };
}

/** Runs the scheduling check of one environment; the first problem is thrown, all are listed. */
export function assertSchedulable(environment: string, cluster: ClusterStack, platform: PlatformStack): void {
  const problems = checkScheduling(cluster.nodeGroups.capacity, [EKS_ADDONS_RELEASE, ...platform.releases]);
  if (problems.length === 0) return;
  const first = problems[0]!;
  throw new PlatformConfigError(
    { environment, subject: `release "${first.release}"`, path: "scheduling" },
    problems.map((p) => (p.release === first.release ? p.message : `release "${p.release}": ${p.message}`)).join("; "),
  );
}
