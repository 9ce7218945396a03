import { EksNodeGroup } from "@cdktf/provider-aws/lib/eks-node-group";
import { ElasticacheReplicationGroup } from "@cdktf/provider-aws/lib/elasticache-replication-group";
import { clusterNameOf, modelBucketNameOf } from "../../stacks/cluster-stack";
import { validateEnvironment } from "../../stacks/environment-config";
import { SHIPPED, SHIPPED_NAMES, clone, resourcesOf, shipped, synthCluster, validInput } from "../support/cluster-fixtures";

describe.each(SHIPPED_NAMES)("%s-cluster", (name) => {
  const env = shipped(name);
  const { json, tf, stack } = synthCluster(env);

  test("synthesizes valid-looking Terraform with the S3 backend at its own key, encrypted and locked", () => {
    expect(tf.terraform.backend?.s3).toMatchObject({
      bucket: env.stateBackend.bucket,
      key: `${env.stateBackend.keyPrefix}/${name}-cluster.tfstate`,
      encrypt: true,
      use_lockfile: true,
    });
  });

  test("the AWS provider is pinned to the environment's account and tags every resource", () => {
    const aws = tf.provider?.["aws"]?.[0];
    expect(aws).toMatchObject({
      region: env.aws.region,
      allowed_account_ids: [env.aws.accountId],
      default_tags: [{ tags: { owner: env.tags.owner, "cost-center": env.tags.costCenter, environment: name } }],
    });
  });

  test("A100 groups are ON_DEMAND, L40S groups SPOT, both tainted nvidia.com/gpu", () => {
    for (const [groupName, group] of Object.entries(env.nodeGroups)) {
      if (group.kind !== "gpu") continue;
      expect(json).toHaveResourceWithProperties(EksNodeGroup, {
        node_group_name_prefix: `${groupName}-`,
        capacity_type: group.accelerator === "a100" ? "ON_DEMAND" : "SPOT",
        ami_type: "AL2023_x86_64_NVIDIA",
        taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
        scaling_config: { min_size: group.min, desired_size: group.desired, max_size: group.max },
      });
    }
  });

  test("the VPC spans the configured AZs with the configured NAT layout", () => {
    expect(resourcesOf(tf, "aws_subnet")).toHaveLength(env.network.azCount * 2);
    expect(resourcesOf(tf, "aws_nat_gateway")).toHaveLength(env.network.natGateways === "single" ? 1 : env.network.azCount);
    expect(resourcesOf(tf, "aws_vpc")[0]).toMatchObject({ cidr_block: env.network.vpcCidr });
  });

  test("managed Redis exists exactly when the environment asks for it, admitting only the nodes", () => {
    const groups = resourcesOf(tf, "aws_elasticache_replication_group");
    if (env.redis.mode === "managed") {
      expect(json).toHaveResourceWithProperties(ElasticacheReplicationGroup, {
        num_cache_clusters: 1 + env.redis.replicasPerShard,
        multi_az_enabled: env.redis.replicasPerShard >= 1,
      });
      const rule = resourcesOf(tf, "aws_vpc_security_group_ingress_rule").find((r) => r["from_port"] === 6379)!;
      expect(rule["referenced_security_group_id"]).toMatch(/^\$\{aws_eks_cluster\.[\w-]+\.vpc_config\[0\]\.cluster_security_group_id\}$/);
      expect(stack.outputs.managedRedis).toBeDefined();
    } else {
      expect(groups).toHaveLength(0);
      expect(stack.outputs.managedRedis).toBeUndefined();
    }
  });

  test("every output has a description and a <thing>_<attribute> name", () => {
    const outputs = Object.entries(tf.output ?? {});
    expect(outputs.map(([k]) => k)).toEqual(
      expect.arrayContaining(["cluster_name", "cluster_endpoint", "cluster_certificate_authority_data", "model_bucket_name", "model_reader_role_arn", "gateway_role_arn"]),
    );
    if (env.redis.mode === "managed") expect(outputs.map(([k]) => k)).toEqual(expect.arrayContaining(["redis_endpoint", "redis_auth_secret_arn"]));
    for (const [key, out] of outputs) {
      expect(key).toMatch(/^[a-z0-9]+(_[a-z0-9]+)+$/);
      expect(out.description?.length ?? 0).toBeGreaterThan(10);
    }
  });

  test("the typed outputs give each GPU group its scheduling, taken from the node group construct", () => {
    const gpuGroups = Object.entries(env.nodeGroups).filter(([, g]) => g.kind === "gpu").map(([n]) => n);
    expect(Object.keys(stack.outputs.gpuScheduling).sort()).toEqual(gpuGroups.sort());
    for (const groupName of gpuGroups) {
      const construct = stack.nodeGroups.gpu[groupName]!;
      expect(stack.outputs.gpuScheduling[groupName]).toEqual({
        accelerator: construct.accelerator,
        gpusPerNode: construct.gpusPerNode,
        capacityType: construct.capacityType,
        nodeSelector: construct.nodeSelector,
        tolerations: construct.tolerations,
      });
    }
    expect(stack.outputs.region).toBe(env.aws.region);
    expect(stack.outputs.modelReader).toMatchObject({ namespace: "models", serviceAccount: "model-reader" });
    expect(stack.outputs.gateway).toMatchObject({ namespace: "llm-gateway", serviceAccount: "llm-gateway" });
  });

  test("every model fits its group's nodes", () => {
    for (const m of env.models) {
      expect(stack.outputs.gpuScheduling[m.nodeGroup]!.gpusPerNode).toBeGreaterThanOrEqual(m.tensorParallelSize);
    }
  });
});

describe("the documented capacity", () => {
  test("prod: 2 A100 nodes (16 GPUs) for Llama 3 70B at TP 8 x 2 replicas, 1 L40S node with 4 GPUs for Mistral 7B", () => {
    const prod = shipped("prod");
    const { stack } = synthCluster(prod);
    expect(prod.nodeGroups["a100"]).toMatchObject({ desired: 2 });
    expect(stack.outputs.gpuScheduling["a100"]!.gpusPerNode * prod.nodeGroups["a100"]!.desired).toBe(16);
    expect(prod.models.find((m) => m.name === "llama-3-70b")).toMatchObject({ tensorParallelSize: 8, replicas: 2, nodeGroup: "a100" });
    expect(prod.nodeGroups["l40s"]).toMatchObject({ desired: 1 });
    expect(stack.outputs.gpuScheduling["l40s"]!.gpusPerNode).toBe(4);
    expect(prod.models.find((m) => m.name === "mistral-7b")).toMatchObject({ nodeGroup: "l40s" });
    expect(prod.network).toMatchObject({ azCount: 3, natGateways: "one-per-az" });
    expect(prod.cluster.endpoint.mode).toBe("private");
  });

  test("dev is small and cheap: A100 scaled to 0, one NAT, spot L40S", () => {
    const dev = shipped("dev");
    expect(dev.nodeGroups["a100"]).toMatchObject({ desired: 0, min: 0 });
    expect(dev.network.natGateways).toBe("single");
    expect(synthCluster(dev).stack.outputs.gpuScheduling["l40s"]!.capacityType).toBe("SPOT");
  });
});

describe("names stay unique within an account", () => {
  test("two environments in one account and region share no account-scoped name", () => {
    const staging = shipped("staging");
    const result = validateEnvironment({ ...clone(validInput("perf-1")), aws: { ...staging.aws } }, "environments/perf-1.yaml");
    if (!result.ok) throw new Error(JSON.stringify(result.problems));
    const names = (env: typeof staging) => {
      const { tf } = synthCluster(env);
      const named = ["aws_iam_role", "aws_kms_alias", "aws_cloudwatch_log_group", "aws_eks_cluster", "aws_s3_bucket", "aws_secretsmanager_secret", "aws_elasticache_replication_group", "aws_security_group"];
      return named.flatMap((t) => resourcesOf(tf, t).map((r) => `${t}:${String(r["name"] ?? r["bucket"] ?? r["replication_group_id"])}`));
    };
    const a = new Set(names(staging));
    const clash = names(result.config).filter((n) => a.has(n));
    expect(clash).toEqual([]);
    expect(clusterNameOf(result.config)).toBe("llm-perf-1");
    expect(modelBucketNameOf(staging)).toBe("llm-staging-models-123456789012-us-east-1");
  });
});

describe("regressions", () => {
  test("prod-cluster matches its snapshot", () => {
    expect(synthCluster(shipped("prod")).tf).toMatchSnapshot();
  });

  test("the three documented environments are shipped", () => {
    expect(SHIPPED.map((e) => e.name)).toEqual(expect.arrayContaining(["dev", "prod", "staging"]));
  });
});
