/**
 * Shared fixtures of the platform tests: the shipped environments, and a hand-made ClusterOutputs of plain strings
 * per environment (what the cluster stack hands over, without synthesizing the cluster stack).
 */
import { join } from "node:path";
import { App, Testing } from "cdktf";
import { ACCELERATOR_PROFILES, guaranteedGpusPerNode } from "../../constructs/accelerators";
import type { ClusterOutputs, GpuScheduling } from "../../stacks/cluster-outputs";
import { loadEnvironments, type EnvironmentConfig } from "../../stacks/environment-config";
import { PlatformStack } from "../../stacks/platform-stack";

export const REPO = join(__dirname, "..", "..");
export const ENVIRONMENTS: readonly EnvironmentConfig[] = loadEnvironments(join(REPO, "environments"), { cwd: REPO });

/** GPU scheduling of every GPU group of an environment, as the node group construct describes it. */
export function gpuSchedulingOf(env: EnvironmentConfig): Record<string, GpuScheduling> {
  const out: Record<string, GpuScheduling> = {};
  for (const [name, g] of Object.entries(env.nodeGroups)) {
    if (g.kind !== "gpu") continue;
    const types = g.instanceTypes ?? [...ACCELERATOR_PROFILES[g.accelerator].defaultInstanceTypes];
    out[name] = {
      accelerator: g.accelerator,
      gpusPerNode: guaranteedGpusPerNode(types),
      capacityType: ACCELERATOR_PROFILES[g.accelerator].capacityType,
      nodeSelector: { "llm-platform.io/node-group": name, "llm-platform.io/accelerator": g.accelerator },
      tolerations: [{ key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" }],
    };
  }
  return out;
}

/** Cluster outputs of plain strings for an environment. */
export function clusterOutputsOf(env: EnvironmentConfig, overrides: Partial<ClusterOutputs> = {}): ClusterOutputs {
  return {
    clusterName: `llm-${env.name}`,
    clusterEndpoint: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
    clusterCertificateAuthorityData: "LS0tLS1CRUdJTi1DRVJUSUZJQ0FURS0tLS0t",
    region: env.aws.region,
    modelBucketName: `llm-${env.name}-models-${env.aws.accountId}-${env.aws.region}`,
    modelReader: { namespace: "models", serviceAccount: "model-reader", roleArn: `arn:aws:iam::${env.aws.accountId}:role/llm-${env.name}-model-reader` },
    gateway: { namespace: "llm-gateway", serviceAccount: "llm-gateway", roleArn: `arn:aws:iam::${env.aws.accountId}:role/llm-${env.name}-gateway` },
    managedRedis:
      env.redis.mode === "managed"
        ? { endpoint: `master.llm-${env.name}.abc123.use1.cache.amazonaws.com`, port: 6379, authSecretArn: `arn:aws:secretsmanager:us-east-1:${env.aws.accountId}:secret:llm-${env.name}-redis-auth` }
        : undefined,
    gpuScheduling: gpuSchedulingOf(env),
    vpcId: "vpc-0123456789abcdef0",
    clusterSecurityGroupId: "sg-0123456789abcdef0",
    ...overrides,
  };
}

/** A platform stack of an environment in its own app, with hand-made cluster outputs. */
export function platformStackOf(env: EnvironmentConfig, overrides: Partial<ClusterOutputs> = {}): PlatformStack {
  const app: App = Testing.app();
  return new PlatformStack(app, `${env.name}-platform`, { env, cluster: clusterOutputsOf(env, overrides) });
}

/** An environment with a change, for bad-input tests. */
export function withChange(env: EnvironmentConfig, change: (e: EnvironmentConfig) => void): EnvironmentConfig {
  const copy = structuredClone(env);
  change(copy);
  return copy;
}

/** Walks a values tree, calling back for every object (with its path). */
export function walk(value: unknown, visit: (obj: Record<string, unknown>, path: string) => void, path = "values"): void {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, visit, `${path}[${i}]`));
  else if (value !== null && typeof value === "object") {
    visit(value as Record<string, unknown>, path);
    for (const [k, v] of Object.entries(value)) walk(v, visit, `${path}.${k}`);
  }
}
