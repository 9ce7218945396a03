/**
 * The stacks of one environment: `<env>-cluster` (what AWS owns) and `<env>-platform` (what Kubernetes runs),
 * the platform stack configured from the cluster stack's typed outputs.
 */
import type { Construct } from "constructs";
import type { EnvironmentConfig } from "./environment-config";
import { ClusterStack } from "./cluster-stack";
import { PlatformStack } from "./platform-stack";

/** The stacks created for one environment. */
export interface EnvironmentStacks {
  readonly cluster: ClusterStack;
  readonly platform: PlatformStack;
}

/** Adds an environment's stacks to the app. */
export function addEnvironmentStacks(scope: Construct, env: EnvironmentConfig): EnvironmentStacks {
  const cluster = new ClusterStack(scope, `${env.name}-cluster`, { env });
  const platform = new PlatformStack(scope, `${env.name}-platform`, { env, cluster: cluster.outputs });
  platform.addDependency(cluster);
  return { cluster, platform };
}
