/**
 * The environment file format (environments/<name>.yaml): a zod schema with defaults so a file stays short,
 * cross-field rules zod cannot express in one field, and a loader that reads every environment and fails with
 * one message naming the file, the field path and what was expected, before anything is synthesized.
 */
import { readdirSync, readFileSync, existsSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import {
  ACCELERATOR_PROFILES,
  GPU_INSTANCE_TYPES,
  guaranteedGpusPerNode,
  type Accelerator,
} from "../constructs/accelerators";
import gpuRegionData from "../constructs/data/gpu-instance-regions.json";

/** Regions each GPU instance type is offered in (data kept in the repo, with its source and date). */
const GPU_REGIONS: Readonly<Record<string, readonly string[]>> = gpuRegionData.regions;
import { floatingReason } from "../policies/rules/helm-image-tags";
import { LOG_RETENTION_DAYS } from "../constructs/private/aws-limits";
import { cidrsOverlap as ipv4CidrsOverlap, parseCidr as parseIpv4Cidr } from "../constructs/private/cidr";

/** An OCI image repository: optional registry host[:port], then lowercase path components (no tag or digest). */
const IMAGE_REPOSITORY = /^(?:[a-z0-9]+(?:[.-][a-z0-9]+)*(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
/** An OCI tag. */
const IMAGE_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

/** A DNS-safe label (RFC 1123): what an environment name must be, since it ends up in cluster and bucket names. */
export const DNS_LABEL = /^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$/;
/** Parses "10.0.0.0/16" into a network address and prefix length; undefined when it is not a valid IPv4 CIDR. */
export function parseCidr(cidr: string): { network: number; prefix: number } | undefined {
  return parseIpv4Cidr(cidr);
}

/** True when two IPv4 CIDRs share any address. */
export function cidrsOverlap(a: string, b: string): boolean {
  return ipv4CidrsOverlap(a, b);
}

const cidr = (what: string) =>
  z.string().refine((s) => parseCidr(s) !== undefined, {
    message: `expected ${what} as an IPv4 network in CIDR notation, e.g. 10.20.0.0/16, with no host bits set`,
  });

const iamRoleArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, "expected an IAM role ARN, arn:aws:iam::<12-digit account>:role/<name>");

const scaling = {
  /** Minimum nodes. */
  min: z.number().int().min(0),
  /** Nodes the group starts with. */
  desired: z.number().int().min(0),
  /** Maximum nodes. */
  max: z.number().int().min(1),
};

const systemNodeGroup = z.strictObject({
  kind: z.literal("system"),
  instanceTypes: z.array(z.string().min(1)).min(1).default(["m7i.xlarge"]),
  ...scaling,
  diskSizeGiB: z.number().int().min(20).max(1000).default(100),
});

const gpuNodeGroup = z.strictObject({
  kind: z.literal("gpu"),
  accelerator: z.enum(["a100", "l40s"]),
  /** @default the accelerator's default instance types */
  instanceTypes: z.array(z.string().min(1)).min(1).optional(),
  ...scaling,
  /** Root volume: container images of vLLM plus the model weights synced from S3. */
  diskSizeGiB: z.number().int().min(200).max(16000).default(500),
});

export const nodeGroupSchema = z.discriminatedUnion("kind", [systemNodeGroup, gpuNodeGroup]);

export const modelSchema = z.strictObject({
  /** Model alias served to clients and used in release names, e.g. llama-3-70b. */
  name: z.string().regex(DNS_LABEL, "expected a DNS-safe label (lowercase letters, digits, '-'; at most 20 characters)"),
  /** Hugging Face repository id of the weights, synced from the model bucket under this prefix. */
  huggingFaceId: z.string().regex(/^[\w.-]+\/[\w.-]+$/, "expected a Hugging Face id, <org>/<model>"),
  /** Node group (key under nodeGroups) the model runs on; must be a GPU group. */
  nodeGroup: z.string().min(1),
  tensorParallelSize: z.number().int().min(1).max(8).default(1),
  replicas: z.number().int().min(0).default(1),
  maxModelLen: z.number().int().min(256).default(4096),
  maxNumBatchedTokens: z.number().int().min(256).default(16384),
  maxNumSeqs: z.number().int().min(1).default(256),
  gpuMemoryUtilization: z.number().gt(0).max(1).default(0.95),
  /** Total parameter count in billions, used to check the weights fit the GPUs. */
  parametersBillions: z.number().positive(),
  autoscaling: z
    .strictObject({
      minReplicas: z.number().int().min(0),
      maxReplicas: z.number().int().min(1),
      /** Target of vLLM's waiting requests per replica before scaling out. */
      waitingRequestsTarget: z.number().int().min(1).default(5),
    })
    .optional(),
  /** Price used for the gateway's cost metrics, USD per 1K tokens (input, output). */
  pricePer1kTokens: z.strictObject({ input: z.number().min(0), output: z.number().min(0) }).optional(),
});

/** An EC2 security group id. */
export const SECURITY_GROUP_ID = /^sg-(?:[0-9a-f]{8}|[0-9a-f]{17})$/;

const endpointAccess = z.discriminatedUnion("mode", [
  z.strictObject({
    mode: z.literal("private"),
    /** Networks admitted to the private API endpoint on 443: VPN clients, bastion or CI runner subnets. */
    allowedCidrs: z.array(cidr("a client CIDR").refine((c) => !c.endsWith("/0"), "expected a restricted CIDR, not /0")).default([]),
    /** Security groups admitted to the private API endpoint on 443: a bastion's, the CI runners'. */
    allowedSecurityGroupIds: z.array(z.string().regex(SECURITY_GROUP_ID, "expected a security group id, sg- and 8 or 17 hex digits")).default([]),
  }),
  z.strictObject({
    mode: z.literal("public-restricted"),
    /** CIDRs allowed to reach the public endpoint. 0.0.0.0/0 is refused: that is not restricted. */
    cidrs: z
      .array(cidr("a client CIDR").refine((c) => !c.endsWith("/0"), "expected a restricted CIDR, not /0"))
      .min(1),
  }),
]);

const redisSchema = z.discriminatedUnion("mode", [
  z.strictObject({
    mode: z.literal("managed"),
    nodeType: z.string().regex(/^cache\.[a-z0-9]+\.[a-z0-9]+$/, "expected an ElastiCache node type, e.g. cache.r7g.large").default("cache.t4g.small"),
    /** Replicas per shard; 1 or more gives multi-AZ automatic failover. */
    replicasPerShard: z.number().int().min(0).max(5).default(0),
    engineVersion: z.string().default("7.1"),
  }),
  z.strictObject({
    mode: z.literal("in-cluster"),
    storageGiB: z.number().int().min(1).default(8),
    replicas: z.number().int().min(0).max(5).default(0),
  }),
]);

const K8S_SECRET_NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const receiverSecret = z.string().regex(K8S_SECRET_NAME, "expected the name of a Kubernetes secret in the monitoring namespace");
const alertReceiverSchema = z.discriminatedUnion("receiver", [
  z.strictObject({ receiver: z.literal("none") }),
  z.strictObject({ receiver: z.literal("slack"), secretName: receiverSecret, channel: z.string().regex(/^[#@]?[\w.-]+$/, "expected a Slack channel such as #llm-alerts") }),
  z.strictObject({ receiver: z.literal("pagerduty"), secretName: receiverSecret }),
  z.strictObject({ receiver: z.literal("webhook"), secretName: receiverSecret }),
]);

const platformSchema = z
  .strictObject({
    monitoring: z
      .strictObject({
        retentionDays: z.number().int().min(1).max(365).default(15),
        storageGiB: z.number().int().min(10).default(50),
        /** Where Alertmanager sends alerts; the URL or key stays in a Kubernetes secret (constructs/alert-receiver.ts). */
        alerts: alertReceiverSchema.prefault({ receiver: "none" }),
      })
      .prefault({}),
    qdrant: z
      .strictObject({
        replicas: z.number().int().min(1).default(1),
        storageGiB: z.number().int().min(1).default(50),
        snapshotStorageGiB: z.number().int().min(1).default(20),
        /** Copies of each shard of the gateway's collections. @default - 2 with several replicas, else 1 */
        replicationFactor: z.number().int().min(1).optional(),
        /** Copies that must apply a write before it is acknowledged. @default 1 */
        writeConsistencyFactor: z.number().int().min(1).default(1),
      })
      .prefault({}),
    /** Where the TEI embedder, reranker and classifiers run. */
    textEmbeddings: z
      .strictObject({
        device: z.enum(["cpu", "gpu"]).default("cpu"),
        /** Node group for device gpu. */
        nodeGroup: z.string().optional(),
        embedderReplicas: z.number().int().min(1).default(1),
        rerankerReplicas: z.number().int().min(1).default(1),
        /** Also deploy the prompt-injection and toxicity classifiers the guardrails call. */
        classifiers: z.boolean().default(false),
        /** Requests of one embedder or reranker pod; the scheduling check places them on the nodes. @default 1 CPU, 3Gi */
        requests: z
          .strictObject({
            cpu: z.string().regex(/^\d+(\.\d+)?m?$/, "expected a CPU quantity such as 500m or 2"),
            memory: z.string().regex(/^\d+(\.\d+)?(Mi|Gi)$/, "expected a memory quantity such as 512Mi or 3Gi"),
          })
          .optional(),
      })
      .prefault({}),
    gateway: z
      .strictObject({
        replicas: z.number().int().min(1).default(2),
        maxReplicas: z.number().int().min(1).default(10),
        ingressHost: z.string().optional(),
        /** OIDC issuer whose JWKS signs the callers' tokens. */
        oidcIssuer: z.url().optional(),
        oidcAudience: z.string().default("llm-gateway"),
        /** OTLP/HTTP endpoint for the gateway's traces (OTEL_EXPORTER_OTLP_ENDPOINT), e.g. an OpenTelemetry collector. */
        otlpEndpoint: z.url({ protocol: /^https?$/, error: "expected an http(s) URL of an OTLP/HTTP endpoint, e.g. http://otel-collector.monitoring:4318" }).optional(),
        /**
         * Where this environment pulls the gateway image from (the `gateway-image` workflow pushes
         * ghcr.io/<owner>/llm-gateway:<commit sha> on main). @default GATEWAY_IMAGE (constructs/gateway.ts)
         */
        image: z
          .strictObject({
            repository: z
              .string()
              .regex(IMAGE_REPOSITORY, "expected an image repository such as ghcr.io/acme/llm-gateway or 123456789012.dkr.ecr.us-east-1.amazonaws.com/llm-gateway (lowercase, no tag)"),
            tag: z
              .string()
              .regex(IMAGE_TAG, "expected an image tag: letters, digits, '_', '.' or '-', at most 128 characters, not starting with '.' or '-'")
              // The same notion of a floating tag as policy LLM-HELM-002, refused here already, with the file's path.
              .refine((t) => floatingReason(t) === undefined, "expected a pinned tag (a version or a commit sha), not a floating one such as latest or main"),
          })
          .optional(),
      })
      .prefault({}),
  })
  .prefault({});

export const environmentSchema = z.strictObject({
  /** Environment name; equals the file name, and is part of every stack id and resource name. */
  name: z.string().regex(DNS_LABEL, "expected a DNS-safe label: lowercase letters, digits and '-', starting with a letter, at most 20 characters"),
  aws: z.strictObject({
    accountId: z.string().regex(/^\d{12}$/, "expected a 12-digit AWS account id (quoted in YAML)"),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1"),
  }),
  network: z.strictObject({
    vpcCidr: cidr("the VPC CIDR").refine((c) => {
      const p = parseCidr(c);
      return p === undefined || (p.prefix >= 16 && p.prefix <= 20);
    }, "expected a VPC CIDR between /16 and /20"),
    azCount: z.number().int().min(2).max(4).default(3),
    /** One NAT gateway per AZ (resilient) or one shared (cheap). */
    natGateways: z.enum(["one-per-az", "single"]).default("one-per-az"),
  }),
  cluster: z.strictObject({
    kubernetesVersion: z.string().regex(/^1\.\d{2}$/, "expected a Kubernetes minor version such as \"1.33\" (quoted in YAML)"),
    endpoint: endpointAccess.default({ mode: "private", allowedCidrs: [], allowedSecurityGroupIds: [] }),
    /** IAM role ARNs granted cluster-admin through EKS access entries. */
    admins: z.array(iamRoleArn).min(1),
    /** Days CloudWatch keeps control-plane logs: one of the periods CloudWatch accepts. */
    logRetentionDays: z
      .number()
      .int()
      .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), `expected one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(", ")}`)
      .default(90),
  }),
  nodeGroups: z
    .record(z.string().regex(DNS_LABEL, "expected a DNS-safe node group name"), nodeGroupSchema)
    .refine((g) => Object.values(g).some((n) => n.kind === "system"), "expected at least one node group of kind system"),
  /** Ceiling on GPUs this environment may run at full scale (sum of max nodes x GPUs per node). */
  maxGpus: z.number().int().min(0),
  redis: redisSchema.default({ mode: "in-cluster", storageGiB: 8, replicas: 0 }),
  models: z.array(modelSchema).min(1),
  platform: platformSchema,
  stateBackend: z.strictObject({
    bucket: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, "expected an S3 bucket name"),
    /** Every stack's state lives at <keyPrefix>/<stack>.tfstate. */
    keyPrefix: z.string().regex(/^[\w.\/-]+$/).refine((k) => !k.startsWith("/") && !k.endsWith("/"), "expected a key prefix without leading or trailing '/'"),
    region: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, "expected an AWS region such as us-east-1"),
    /** S3-native state locking (Terraform 1.10+ use_lockfile). */
    useLockfile: z.boolean().default(true),
    /** DynamoDB table for state locking, for older Terraform. */
    dynamodbTable: z.string().min(3).optional(),
    encrypt: z.literal(true).default(true),
  }).refine((b) => b.useLockfile || b.dynamodbTable !== undefined, {
    message: "expected state locking: useLockfile true or a dynamodbTable",
    path: ["useLockfile"],
  }),
  tags: z
    .strictObject({
      owner: z.string().min(1),
      costCenter: z.string().min(1),
    })
    .catchall(z.string()),
});

/** An environment file as written, before defaults. */
export type EnvironmentInput = z.input<typeof environmentSchema>;
/** A validated environment with every default filled in. */
export type EnvironmentConfig = z.output<typeof environmentSchema>;
export type NodeGroupConfig = z.output<typeof nodeGroupSchema>;
export type GpuNodeGroupConfig = Extract<NodeGroupConfig, { kind: "gpu" }>;
export type ModelConfig = z.output<typeof modelSchema>;

/** The instance types a GPU group runs, its own or its accelerator's defaults. */
export function gpuGroupInstanceTypes(group: GpuNodeGroupConfig): string[] {
  return group.instanceTypes ?? [...ACCELERATOR_PROFILES[group.accelerator].defaultInstanceTypes];
}

/** Copies of each shard of the gateway's Qdrant collections: as configured, else 2 when Qdrant runs several replicas. */
export function qdrantReplicationFactor(q: { readonly replicas: number; readonly replicationFactor?: number }): number {
  return q.replicationFactor ?? Math.min(q.replicas, 2);
}

/**
 * The tags every taggable AWS resource carries (the provider's default_tags): owner, cost-center and
 * environment (required by policy), plus any extra tags of the environment file.
 */
export function resourceTags(env: EnvironmentConfig): Record<string, string> {
  const { owner, costCenter, ...extra } = env.tags;
  return { ...extra, owner, "cost-center": costCenter, environment: env.name, "managed-by": "cdktf" };
}

/** One problem in one file: the field path and what was expected. */
export interface ConfigProblem {
  readonly file: string;
  readonly path: string;
  readonly message: string;
}

/** Thrown when any environment file is invalid; the message lists every problem, one per line. */
export class EnvironmentConfigError extends Error {
  constructor(readonly problems: readonly ConfigProblem[]) {
    super(
      `Invalid environment configuration (nothing was synthesized):\n` +
        problems.map((p) => `  ${p.file}: ${p.path || "(root)"}: ${p.message}`).join("\n"),
    );
    this.name = "EnvironmentConfigError";
  }
}

function pathOf(path: readonly PropertyKey[]): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : String(p))).join(".").replace(/\.\[/g, "[");
}

/**
 * Cross-field rules of one environment: scaling bounds, instance types that belong to the accelerator,
 * models placed on GPU groups whose nodes can hold their tensor parallelism, the GPU ceiling.
 */
export function checkEnvironmentRules(env: EnvironmentConfig): Array<{ path: string; message: string }> {
  const problems: Array<{ path: string; message: string }> = [];
  const maxGpusByGroup = new Map<string, number>();

  for (const [groupName, group] of Object.entries(env.nodeGroups)) {
    const at = `nodeGroups.${groupName}`;
    if (group.min > group.desired) {
      problems.push({ path: `${at}.min`, message: `expected min (${group.min}) ≤ desired (${group.desired})` });
    }
    if (group.desired > group.max) {
      problems.push({ path: `${at}.desired`, message: `expected desired (${group.desired}) ≤ max (${group.max})` });
    }
    if (group.kind === "gpu") {
      const types = gpuGroupInstanceTypes(group);
      types.forEach((t, i) => {
        const known = GPU_INSTANCE_TYPES[t];
        if (!known || known.accelerator !== group.accelerator) {
          const allowed = Object.entries(GPU_INSTANCE_TYPES)
            .filter(([, v]) => v.accelerator === group.accelerator)
            .map(([n]) => n);
          problems.push({
            path: `${at}.instanceTypes[${i}]`,
            message: `expected an instance type with ${group.accelerator.toUpperCase()} GPUs (${allowed.join(", ")}), got "${t}"`,
          });
        }
      });
      if (group.accelerator === "l40s" && types.length < 2) {
        problems.push({ path: `${at}.instanceTypes`, message: "expected at least two instance types for a spot group, so capacity can be found" });
      }
      types.forEach((t, i) => {
        const regions = GPU_REGIONS[t];
        if (regions && !regions.includes(env.aws.region)) {
          problems.push({
            path: `${at}.instanceTypes[${i}]`,
            message: `expected an instance type offered in ${env.aws.region}; ${t} is known only in ${regions.join(", ")} (constructs/data/gpu-instance-regions.json)`,
          });
        }
      });
      const gpus = guaranteedGpusPerNode(types);
      maxGpusByGroup.set(groupName, gpus * group.max);
    }
  }

  const gpusNeeded = new Map<string, number>();
  env.models.forEach((model, i) => {
    const at = `models[${i}]`;
    if (env.models.findIndex((m) => m.name === model.name) !== i) {
      problems.push({ path: `${at}.name`, message: `expected a unique model name, "${model.name}" is used twice` });
    }
    const group = env.nodeGroups[model.nodeGroup];
    if (!group) {
      problems.push({
        path: `${at}.nodeGroup`,
        message: `expected one of the GPU node groups (${Object.entries(env.nodeGroups).filter(([, g]) => g.kind === "gpu").map(([n]) => n).join(", ") || "none defined"}), got "${model.nodeGroup}"`,
      });
      return;
    }
    if (group.kind !== "gpu") {
      problems.push({ path: `${at}.nodeGroup`, message: `expected a GPU node group, "${model.nodeGroup}" is of kind ${group.kind}` });
      return;
    }
    const types = gpuGroupInstanceTypes(group);
    const perNode = guaranteedGpusPerNode(types);
    if (model.tensorParallelSize > perNode) {
      problems.push({
        path: `${at}.tensorParallelSize`,
        message: `tensorParallelSize (${model.tensorParallelSize}) exceeds GPUs per node of ${model.nodeGroup} (${perNode})`,
      });
      return; // the capacity check below would only repeat this problem
    } else {
      // bf16 weights take 2 bytes a parameter; vLLM also needs room for the KV cache, so ask for 20% headroom.
      const memPerGpu = Math.min(...types.map((t) => GPU_INSTANCE_TYPES[t]?.gpuMemoryGiB ?? 0));
      const weightsGiB = model.parametersBillions * 2;
      const available = memPerGpu * model.tensorParallelSize * model.gpuMemoryUtilization;
      if (weightsGiB * 1.2 > available) {
        problems.push({
          path: `${at}.tensorParallelSize`,
          message: `${model.name} needs about ${Math.ceil(weightsGiB * 1.2)} GiB of GPU memory for bf16 weights and KV cache; ${model.tensorParallelSize} × ${memPerGpu} GiB ${group.accelerator.toUpperCase()} at ${model.gpuMemoryUtilization} gives ${Math.floor(available)} GiB`,
        });
      }
    }
    const replicas = Math.max(model.replicas, model.autoscaling?.maxReplicas ?? 0);
    gpusNeeded.set(model.nodeGroup, (gpusNeeded.get(model.nodeGroup) ?? 0) + replicas * model.tensorParallelSize);
    if (model.autoscaling && model.autoscaling.minReplicas > model.autoscaling.maxReplicas) {
      problems.push({ path: `${at}.autoscaling.minReplicas`, message: `expected minReplicas (${model.autoscaling.minReplicas}) ≤ maxReplicas (${model.autoscaling.maxReplicas})` });
    }
  });

  for (const [groupName, needed] of gpusNeeded) {
    const capacity = maxGpusByGroup.get(groupName) ?? 0;
    if (needed > capacity) {
      problems.push({
        path: `nodeGroups.${groupName}.max`,
        message: `models on ${groupName} need ${needed} GPUs at full scale but max nodes give ${capacity}`,
      });
    }
  }

  const totalGpus = [...maxGpusByGroup.values()].reduce((a, b) => a + b, 0);
  if (totalGpus > env.maxGpus) {
    problems.push({ path: "maxGpus", message: `GPU node groups reach ${totalGpus} GPUs at max scale, above the ceiling maxGpus (${env.maxGpus})` });
  }

  const q = env.platform.qdrant;
  const replication = qdrantReplicationFactor(q);
  if (replication > q.replicas) {
    problems.push({ path: "platform.qdrant.replicationFactor", message: `expected at most platform.qdrant.replicas (${q.replicas}) copies of each shard, got ${replication}` });
  } else if (q.writeConsistencyFactor > replication) {
    problems.push({ path: "platform.qdrant.writeConsistencyFactor", message: `expected at most the replication factor (${replication}), got ${q.writeConsistencyFactor}` });
  }

  const endpoint = env.cluster.endpoint;
  if (endpoint.mode === "private" && endpoint.allowedCidrs.length + endpoint.allowedSecurityGroupIds.length === 0) {
    problems.push({
      path: "cluster.endpoint",
      message:
        "expected allowedCidrs or allowedSecurityGroupIds for a private endpoint: the cluster security group admits only itself, so nothing outside the cluster (VPN, bastion, CI runner) could reach the API to deploy the platform stack",
    });
  }

  const tei = env.platform.textEmbeddings;
  if (tei.device === "gpu") {
    const g = tei.nodeGroup ? env.nodeGroups[tei.nodeGroup] : undefined;
    if (!g || g.kind !== "gpu") {
      problems.push({ path: "platform.textEmbeddings.nodeGroup", message: "expected a GPU node group name when device is gpu" });
    }
  }
  return problems;
}

/** The schema's internals as far as allowedKeysAt walks them (zod 4 keeps them under `_zod.def`). */
interface SchemaDef {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly innerType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly in?: z.ZodType;
}

function defOf(schema: z.ZodType): SchemaDef {
  return (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;
}

/**
 * The keys the schema allows for the object at `path` of `raw`, for "unknown key" messages. Walks zod's
 * definitions (objects, records, arrays, wrappers); for a union it picks the object option sharing most keys
 * with the value written there. Returns [] when the path leads nowhere known.
 */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[], raw: unknown): string[] {
  let def = defOf(schema);
  let value: unknown = raw;
  for (let i = 0; ; ) {
    while (def.innerType || def.in) def = defOf((def.innerType ?? def.in)!);
    if (def.type === "union" && def.options) {
      const keys = value !== null && typeof value === "object" ? Object.keys(value) : [];
      const objects = def.options.map(defOf).filter((d) => d.shape);
      const score = (d: SchemaDef) => keys.filter((k) => d.shape && k in d.shape).length;
      const best = objects.sort((a, b) => score(b) - score(a))[0];
      if (!best) return [];
      def = best;
    }
    if (i === path.length) return def.shape ? Object.keys(def.shape) : [];
    const key = path[i++]!;
    value = value !== null && typeof value === "object" ? (value as Record<PropertyKey, unknown>)[key] : undefined;
    const next = def.shape?.[String(key)] ?? def.valueType ?? def.element;
    if (!next) return [];
    def = defOf(next);
  }
}

/** Validates one parsed document; returns the config or the problems found, tagged with the file. */
export function validateEnvironment(
  raw: unknown,
  file: string,
): { ok: true; config: EnvironmentConfig } | { ok: false; problems: ConfigProblem[] } {
  const parsed = environmentSchema.safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      if (issue.code === "unrecognized_keys") {
        const base = pathOf(issue.path);
        const allowed = allowedKeysAt(environmentSchema, issue.path, raw);
        return {
          file,
          path: issue.keys.map((k) => (base ? `${base}.${k}` : k)).join(", "),
          message:
            `unknown key${issue.keys.length > 1 ? "s" : ""}: not part of the environment schema` +
            (allowed.length > 0 ? `; expected one of ${allowed.join(", ")}` : ""),
        };
      }
      return { file, path: pathOf(issue.path), message: issue.message };
    });
    return { ok: false, problems };
  }
  const config = parsed.data;
  const problems: ConfigProblem[] = checkEnvironmentRules(config).map((p) => ({ file, ...p }));
  const expectedName = basename(file).replace(/\.ya?ml$/, "");
  if (config.name !== expectedName) {
    problems.push({ file, path: "name", message: `expected the environment name to match the file name ("${expectedName}"), got "${config.name}"` });
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, config };
}

/** Parses YAML text strictly: syntax errors and duplicate keys are problems, with their line. */
export function parseEnvironmentYaml(text: string, file: string): { ok: true; value: unknown } | { ok: false; problems: ConfigProblem[] } {
  const doc = parseDocument(text, { uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      problems: doc.errors.map((e) => ({ file, path: `line ${e.linePos?.[0]?.line ?? "?"}`, message: `invalid YAML: ${e.message.split("\n")[0]!.replace(/ at line \d+, column \d+:?$/, "")}` })),
    };
  }
  return { ok: true, value: doc.toJS() };
}

/** Environment files in a folder: every *.yaml / *.yml not starting with '_' (reserved for shared settings). */
export function environmentFiles(dir: string): string[] {
  if (!existsSync(dir)) {
    throw new EnvironmentConfigError([{ file: dir, path: "(folder)", message: "expected a folder of environment files; it does not exist" }]);
  }
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f) && !f.startsWith("_"))
    .sort()
    .map((f) => join(dir, f));
}

/** Rules across environments: unique names and VPC CIDRs that do not overlap. */
export function checkFleetRules(envs: ReadonlyArray<{ file: string; config: EnvironmentConfig }>): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  envs.forEach((a, i) => {
    for (const b of envs.slice(0, i)) {
      if (a.config.name === b.config.name) {
        problems.push({ file: a.file, path: "name", message: `duplicate environment name "${a.config.name}" (also in ${b.file})` });
      }
      if (cidrsOverlap(a.config.network.vpcCidr, b.config.network.vpcCidr)) {
        problems.push({
          file: a.file,
          path: "network.vpcCidr",
          message: `expected a VPC CIDR that overlaps no other environment; ${a.config.network.vpcCidr} overlaps ${b.config.network.vpcCidr} of ${b.file}`,
        });
      }
    }
  });
  return problems;
}

/**
 * Loads and validates environments. With `only`, just those files (by path) are loaded, but fleet rules still
 * compare them with every other environment in the folder. Throws EnvironmentConfigError listing every problem.
 */
export function loadEnvironments(dir: string, options: { only?: readonly string[]; cwd?: string } = {}): EnvironmentConfig[] {
  const cwd = options.cwd ?? process.cwd();
  const files = options.only ? [...options.only] : environmentFiles(dir);
  const others = options.only ? environmentFiles(dir).filter((f) => !files.includes(f)) : [];
  const problems: ConfigProblem[] = [];
  const loaded: Array<{ file: string; config: EnvironmentConfig; selected: boolean }> = [];

  for (const path of [...files, ...others]) {
    const display = relative(cwd, path) || path;
    const selected = files.includes(path);
    if (!existsSync(path)) {
      const known = existsSync(dir) ? environmentFiles(dir).map((f) => basename(f).replace(/\.ya?ml$/, "")) : [];
      problems.push({
        file: display,
        path: "(file)",
        message: `expected an environment file here, but it does not exist${known.length > 0 ? ` (environments found: ${known.join(", ")})` : ""}`,
      });
      continue;
    }
    const yaml = parseEnvironmentYaml(readFileSync(path, "utf8"), display);
    if (!yaml.ok) {
      if (selected) problems.push(...yaml.problems);
      continue;
    }
    const result = validateEnvironment(yaml.value, display);
    if (result.ok) loaded.push({ file: display, config: result.config, selected });
    else if (selected) problems.push(...result.problems);
  }
  if (files.length === 0) {
    problems.push({ file: relative(cwd, dir) || dir, path: "(folder)", message: "expected at least one environment file (*.yaml)" });
  }
  problems.push(...checkFleetRules(loaded).filter((p) => loaded.find((l) => l.file === p.file)?.selected));
  if (problems.length > 0) throw new EnvironmentConfigError(problems);
  return loaded.filter((l) => l.selected).map((l) => l.config);
}

export type { Accelerator };
