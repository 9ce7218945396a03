/**
 * The LLM gateway release (charts/llm-gateway). Its config file is built here from the environment: the models and
 * their upstreams are the vLLM releases' Service names, RAG points at the TEI releases and Qdrant, Redis at the
 * in-cluster release or ElastiCache; secrets are referenced by environment variable and Kubernetes secret, never
 * inlined. The object is checked at synth time with the gateway's own zod schema (services/gateway), so the chart
 * never ships a file the gateway would refuse at start-up. NetworkPolicies make the gateway the only client of the
 * model servers, TEI, Qdrant and Redis.
 */
import { TEI_MODELS } from "./text-embeddings";
import { Construct } from "constructs";
import type { ITerraformDependable } from "cdktf";
import { gatewayConfigSchema, type GatewayConfigInput } from "../services/gateway/src/config/schema";
import { HelmRelease } from "./private/helm-release";
import { withTokenPlaceholders } from "./private/helm-values-schema";
import { PlatformConfigError } from "./private/platform-errors";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** Requests and limits of one gateway pod. */
const GATEWAY_RESOURCES: ResourcesValues = { requests: { cpu: "500m", memory: "512Mi" }, limits: { cpu: "2", memory: "1Gi" } };

/** A self-hosted chat model the gateway routes to. */
export interface GatewayModel {
  /** Alias clients use (vLLM's served model name). */
  readonly name: string;
  /** Hugging Face id (picks the tokenizer). */
  readonly huggingFaceId: string;
  /** Upstream base URLs without /v1 (one per Service; the Service balances its pods). */
  readonly upstreams: readonly string[];
  /** Context window in tokens. */
  readonly contextLength: number;
  /** Size, to pick the model for complex requests. */
  readonly parametersBillions: number;
  /** Whether it has capacity (replicas or autoscaling); only such models are fallbacks. */
  readonly serving: boolean;
  /** USD per 1K tokens. @default - no cost metric */
  readonly pricePer1kTokens?: { readonly input: number; readonly output: number };
}

/** A secret referenced by name and key. */
export interface SecretRef {
  readonly secretName: string;
  readonly key: string;
}

/** A workload only the gateway may reach. */
export interface ProtectedWorkload {
  readonly name: string;
  readonly namespace: string;
  readonly podSelector: Readonly<Record<string, string>>;
  readonly ports: readonly number[];
  /** Ports Prometheus scrapes. @default [] */
  readonly metricsPorts?: readonly number[];
  /** Ports the workload's pods use between each other. @default [] */
  readonly peerPorts?: readonly number[];
}

/** Props of Gateway. */
export interface GatewayProps {
  /** Environment name, for error messages. */
  readonly environment: string;
  /** Namespace (must exist) and service account (bound to the gateway's IAM role by pod identity). */
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** Replicas (HPA floor) and HPA ceiling. */
  readonly replicas: number;
  readonly maxReplicas: number;
  /** Public host; an Ingress is created when set. @default - no Ingress */
  readonly ingressHost?: string;
  /** OIDC issuer and audience of callers' JWTs. @default - no JWT auth (API keys only) */
  readonly oidcIssuer?: string;
  readonly oidcAudience: string;
  /** The chat models. */
  readonly models: readonly GatewayModel[];
  /** TEI URLs. */
  readonly embedderUrl: string;
  /** In-cluster TEI classifiers the guardrails consult, by role, when deployed. @default - none: local layers only */
  readonly classifierUrls?: { readonly injection?: string; readonly toxicity?: string };
  readonly rerankerUrl: string;
  /** Qdrant REST URL and API key secret (in the gateway's namespace). */
  readonly qdrant: {
    readonly url: string;
    readonly apiKey: SecretRef;
    /** Copies of each shard of the collections the gateway creates. @default 1 */
    readonly replicationFactor?: number;
    /** Copies that must apply a write before Qdrant acknowledges it. @default 1 */
    readonly writeConsistencyFactor?: number;
  };
  /** Redis URL (redis:// or rediss://) and password secret (in the gateway's namespace). */
  readonly redis: { readonly url: string; readonly password: SecretRef };
  /** Workloads only the gateway may reach. @default [] */
  readonly protectedWorkloads?: readonly ProtectedWorkload[];
  /**
   * OTLP/HTTP endpoint the gateway exports its traces to (OTEL_EXPORTER_OTLP_ENDPOINT, e.g. an OpenTelemetry
   * collector's http://otel-collector.monitoring:4318). @default - no export (trace ids still propagate)
   */
  readonly otlpEndpoint?: string;
  /** Gateway image. @default GATEWAY_IMAGE */
  readonly image?: { readonly repository: string; readonly tag: string };
  /** What must exist first. @default [] */
  readonly dependsOn?: readonly ITerraformDependable[];
}

/** The gateway image built from services/gateway/Dockerfile. */
export const GATEWAY_IMAGE = { repository: "ghcr.io/example/llm-gateway", tag: "0.1.0" } as const;

/** Rate-limit tiers, the same in every environment (a tier is a product decision, not an environment one). */
export const RATE_LIMIT_TIERS = {
  free: { principal: { rpm: 60, tpm: 20_000 }, tenant: { rpm: 600, tpm: 200_000 } },
  standard: { principal: { rpm: 600, tpm: 200_000 }, tenant: { rpm: 6_000, tpm: 2_000_000 } },
  premium: { principal: { rpm: 3_000, tpm: 1_000_000 }, tenant: { rpm: 30_000, tpm: 10_000_000 } },
} as const;

/** Mount path of the optional API key hashes secret. */
const API_KEYS_DIR = "/etc/llm-gateway/api-keys";

/** The tokenizer family of a model, from its Hugging Face id. */
export function tokenizerOf(huggingFaceId: string): "llama3" | "llama2" | "mistral" {
  if (/mistral|mixtral/i.test(huggingFaceId)) return "mistral";
  if (/llama-?2/i.test(huggingFaceId)) return "llama2";
  return "llama3";
}

/**
 * The JWKS URL of an issuer. Keycloak realms publish it under /protocol/openid-connect/certs; most other issuers
 * (Auth0, Cognito, Okta custom servers) under /.well-known/jwks.json.
 */
export function jwksUrlOf(issuer: string): string {
  const base = issuer.replace(/\/+$/, "");
  return /\/realms\/[^/]+$/.test(base) ? `${base}/protocol/openid-connect/certs` : `${base}/.well-known/jwks.json`;
}

/**
 * The guardrails section: the platform defaults (README.md, "Guardrails"), plus the in-cluster TEI classifiers
 * when the environment deploys them (platform.textEmbeddings.classifiers). Label names are the models' own.
 */
export function guardrailsConfigOf(urls: GatewayProps["classifierUrls"]): NonNullable<GatewayConfigInput["guardrails"]> {
  const endpoints: Record<string, { url: string }> = {};
  if (urls?.injection) endpoints[TEI_MODELS.injection] = { url: urls.injection };
  if (urls?.toxicity) endpoints[TEI_MODELS.toxicity] = { url: urls.toxicity };
  return {
    enabled: true,
    classifierEndpoints: endpoints,
    ...(urls?.injection ? { injection: { tei: { model: TEI_MODELS.injection, label: "INJECTION", threshold: 0.9 } } } : {}),
    ...(urls?.toxicity
      ? { toxicity: { tei: { model: TEI_MODELS.toxicity, labels: { toxic: 0.8, severe_toxic: 0.5, threat: 0.5, identity_hate: 0.5 } } } }
      : {}),
  };
}

/** Builds the gateway's config file from the props (no secrets: env var names and file paths only). */
export function buildGatewayConfig(props: GatewayProps): GatewayConfigInput {
  const bySize = [...props.models].sort((a, b) => a.parametersBillions - b.parametersBillions);
  const serving = props.models.filter((m) => m.serving).map((m) => m.name);
  const models: NonNullable<GatewayConfigInput["models"]> = {};
  for (const m of props.models) {
    models[m.name] = {
      kind: "chat",
      upstreamModel: m.name,
      upstreams: [...m.upstreams],
      tokenizer: tokenizerOf(m.huggingFaceId),
      fallbacks: serving.filter((n) => n !== m.name),
      ...(m.pricePer1kTokens
        ? { pricing: { promptPerMillion: m.pricePer1kTokens.input * 1000, completionPerMillion: m.pricePer1kTokens.output * 1000 } }
        : {}),
    };
  }
  return {
    // On SIGTERM keep serving 5 s (not ready) while kube-proxy and the load balancer drop the pod, then drain for
    // up to 25 s: within the chart's 60-s termination grace period.
    server: { port: 8080, trustProxy: props.ingressHost !== undefined, shutdownDelayMs: 5_000, shutdownGraceMs: 25_000 },
    redis: { url: props.redis.url, passwordEnv: "REDIS_PASSWORD" },
    auth: {
      ...(props.oidcIssuer
        ? { jwt: { issuer: props.oidcIssuer, audience: props.oidcAudience, jwksUrl: jwksUrlOf(props.oidcIssuer), defaultTier: "standard" } }
        : {}),
      // The keys come from an optional secret: without it the file is absent and API keys are off, not a crash.
      apiKeys: { hashesFile: `${API_KEYS_DIR}/hashes.yaml`, optional: true },
    },
    limits: { failureMode: "fail-open", tiers: RATE_LIMIT_TIERS },
    // Errors always, one access-log line per 100 answered requests (decision 0085; every request at info cost
    // 18 % of the gateway's throughput in issue 18's measurement).
    telemetry: { logLevel: "info", accessLogSampleRate: 0.01 },
    models,
    routing: { auto: { enabled: true, highModel: bySize[bySize.length - 1]?.name, lowModel: bySize[0]?.name } },
    guardrails: guardrailsConfigOf(props.classifierUrls),
    rag: {
      enabled: true,
      qdrant: { url: props.qdrant.url, apiKeyEnv: "QDRANT_API_KEY" },
      collection: { replicationFactor: props.qdrant.replicationFactor ?? 1, writeConsistencyFactor: props.qdrant.writeConsistencyFactor ?? 1 },
      embedder: { url: props.embedderUrl },
      reranker: { url: props.rerankerUrl },
      query: { defaultModel: bySize[0]?.name ?? "default" },
      models: Object.fromEntries(props.models.map((m) => [m.name, { contextLength: m.contextLength, tokenizer: tokenizerOf(m.huggingFaceId) }])),
    },
  };
}

/** Validates a config object with the gateway's zod schema; throws naming the environment and the field path. */
export function assertGatewayConfig(config: unknown, environment: string, release: string): void {
  const result = gatewayConfigSchema.safeParse(withTokenPlaceholders(config));
  if (result.success) return;
  const issue = result.error.issues[0];
  const path = (issue?.path ?? []).map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  throw new PlatformConfigError(
    { environment, subject: `release "${release}" (chart llm-gateway)`, path: `values.config${path}` },
    `${issue?.message ?? "invalid"} (services/gateway/src/config/schema.ts)`,
  );
}

/** The gateway. */
export class Gateway extends Construct {
  /** The release. */
  readonly release: HelmRelease;
  /** The config file it renders. */
  readonly config: GatewayConfigInput;
  /** In-cluster URL. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: GatewayProps) {
    super(scope, id);
    const releaseName = "llm-gateway";
    if (props.models.length === 0) {
      throw new PlatformConfigError({ environment: props.environment, subject: `release "${releaseName}" (chart llm-gateway)`, path: "models" }, "expected at least one model");
    }
    if (props.maxReplicas < props.replicas) {
      throw new PlatformConfigError(
        { environment: props.environment, subject: `release "${releaseName}" (chart llm-gateway)`, path: "platform.gateway.maxReplicas" },
        `expected maxReplicas (${props.maxReplicas}) ≥ replicas (${props.replicas})`,
      );
    }
    this.config = buildGatewayConfig(props);
    assertGatewayConfig(this.config, props.environment, releaseName);
    const image = props.image ?? GATEWAY_IMAGE;
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName,
      namespace: props.namespace,
      chart: "llm-gateway",
      dependsOn: props.dependsOn,
      // The gateway is ready only when every model has a healthy upstream; models may wait for GPU nodes.
      wait: false,
      values: {
        fullnameOverride: releaseName,
        image: { repository: image.repository, tag: image.tag, pullPolicy: "IfNotPresent" },
        replicaCount: props.replicas,
        config: this.config,
        secretEnv: [
          { name: "REDIS_PASSWORD", secretName: props.redis.password.secretName, key: props.redis.password.key },
          { name: "QDRANT_API_KEY", secretName: props.qdrant.apiKey.secretName, key: props.qdrant.apiKey.key },
        ],
        secretFiles: [{ name: "api-keys", secretName: "llm-gateway-api-keys", mountPath: API_KEYS_DIR, optional: true }],
        env: [{ name: "OTEL_SERVICE_NAME", value: "llm-gateway" }, ...(props.otlpEndpoint ? [{ name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: props.otlpEndpoint }] : [])],
        containerPort: 8080,
        service: { port: 80 },
        resources: GATEWAY_RESOURCES,
        autoscaling: { enabled: true, minReplicas: props.replicas, maxReplicas: props.maxReplicas, targetCPUUtilizationPercentage: 60 },
        podDisruptionBudget: { enabled: true, minAvailable: props.replicas > 1 ? 1 : 0 },
        serviceAccount: { create: true, name: props.serviceAccountName },
        serviceMonitor: { enabled: true, interval: "15s" },
        ingress: props.ingressHost
          ? {
              enabled: true,
              className: "alb",
              host: props.ingressHost,
              annotations: {
                "alb.ingress.kubernetes.io/scheme": "internet-facing",
                "alb.ingress.kubernetes.io/target-type": "ip",
                "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
                "alb.ingress.kubernetes.io/ssl-policy": "ELBSecurityPolicy-TLS13-1-2-2021-06",
              },
            }
          : { enabled: false },
        networkPolicy: {
          enabled: true,
          prometheusNamespace: "monitoring",
          protectedWorkloads: (props.protectedWorkloads ?? []).map((w) => ({
            name: w.name,
            namespace: w.namespace,
            podSelector: { ...w.podSelector },
            ports: [...w.ports],
            metricsPorts: [...(w.metricsPorts ?? [])],
            peerPorts: [...(w.peerPorts ?? [])],
          })),
        },
      },
      // The chart rolls with maxSurge 25 % (rounded up) of the pods, here at the HPA's maximum.
      workloads: [{ name: releaseName, kind: "Deployment", replicas: props.replicas, maxReplicas: props.maxReplicas, surge: Math.ceil(props.maxReplicas / 4), requests: requestsOf(GATEWAY_RESOURCES) }],
    });
    this.url = `http://${releaseName}.${props.namespace}.svc.cluster.local`;
  }
}
