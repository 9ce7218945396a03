import { Testing } from "cdktf";
import { Gateway } from "../../constructs/gateway";
import { HelmRelease } from "../../constructs/private/helm-release";
import { PlatformConfigError } from "../../constructs/private/platform-errors";
import { GpuEnablement } from "../../constructs/gpu-enablement";
import { LoadBalancerController } from "../../constructs/load-balancer-controller";
import { MetricsServer } from "../../constructs/metrics-server";
import { Monitoring } from "../../constructs/monitoring";
import { ENVIRONMENTS, platformStackOf, withChange } from "./fixtures";

const dev = ENVIRONMENTS.find((e) => e.name === "dev")!;
const mistral = dev.models.findIndex((m) => m.name === "mistral-7b");

test("a model whose tensor parallelism does not fit its GPU group fails with environment, model and field", () => {
  const env = withChange(dev, (e) => (e.models[mistral]!.tensorParallelSize = 8));
  expect(() => platformStackOf(env)).toThrow(
    new PlatformConfigError(
      { environment: "dev", subject: 'model "mistral-7b"', path: `models[${mistral}].tensorParallelSize` },
      "tensorParallelSize (8) exceeds GPUs per node of l40s (4)",
    ),
  );
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", model "mistral-7b", models[${mistral}].tensorParallelSize: tensorParallelSize (8) exceeds GPUs per node of l40s (4)`,
  );
});

test("a model with no GPU group fails with environment, model and field", () => {
  const env = withChange(dev, (e) => (e.models[mistral]!.nodeGroup = "system"));
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", model "mistral-7b", models[${mistral}].nodeGroup: expected a GPU node group of the cluster (a100, l40s), got "system"`,
  );
});

test("values the chart's schema rejects fail with environment, release and values path", () => {
  const env = withChange(dev, (e) => (e.models[mistral]!.maxModelLen = 100));
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", release "vllm-mistral-7b" (chart vllm-model), values.model.maxModelLen: must be >= 256, per the chart's values.schema.json`,
  );
});

test("an unknown values key names the key", () => {
  const stack = Testing.app();
  expect(
    () =>
      new HelmRelease(stack, "r", {
        environment: "dev",
        releaseName: "llm-observability",
        namespace: "monitoring",
        chart: "observability",
        values: { dashboards: { enabled: true, sidecarLabel: "x", sidecarLabelValue: "1", colour: "red" } },
      }),
  ).toThrow(`environment "dev", release "llm-observability" (chart observability), values.dashboards.colour: unknown key: not in the chart's values.schema.json`);
});

test("a value of the wrong enum names the allowed values", () => {
  const env = withChange(dev, (e) => (e.platform.textEmbeddings.device = "tpu" as "cpu"));
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", release "tei-embedder" (chart text-embeddings), values.device: expected one of "cpu", "gpu"`,
  );
});

test("a GPU TEI without a GPU node group fails", () => {
  const env = withChange(dev, (e) => (e.platform.textEmbeddings.device = "gpu"));
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", release "tei-embedder" (chart text-embeddings), platform.textEmbeddings.nodeGroup: expected a GPU node group of the cluster when device is gpu`,
  );
});

test("an upstream chart without an exact version is refused", () => {
  expect(
    () =>
      new HelmRelease(Testing.app(), "r", {
        environment: "dev",
        releaseName: "qdrant",
        namespace: "rag",
        chart: { repository: "https://qdrant.github.io/qdrant-helm", chart: "qdrant", version: "^1.15" },
        values: {},
      }),
  ).toThrow(`environment "dev", release "qdrant" (chart qdrant), version: expected an exact chart version such as 1.2.3, got "^1.15"`);
});

test("a gateway config the gateway's schema refuses fails synthesis with its path", () => {
  expect(
    () =>
      new Gateway(Testing.app(), "g", {
        environment: "dev",
        namespace: "llm-gateway",
        serviceAccountName: "llm-gateway",
        replicas: 1,
        maxReplicas: 2,
        oidcAudience: "llm-gateway",
        models: [{ name: "mistral-7b", huggingFaceId: "mistralai/Mistral-7B-Instruct-v0.3", upstreams: ["http://vllm-mistral-7b.models:8000"], contextLength: 4096, parametersBillions: 7, serving: true }],
        embedderUrl: "http://tei-embedder.rag:80",
        rerankerUrl: "http://tei-reranker.rag:80",
        qdrant: { url: "http://qdrant.rag:6333", apiKey: { secretName: "qdrant-api-key", key: "api-key" } },
        redis: { url: "http://redis:6379", password: { secretName: "redis-auth", key: "redis-password" } },
      }),
  ).toThrow(/^environment "dev", release "llm-gateway" \(chart llm-gateway\), values\.config\.redis\.url: .+ \(services\/gateway\/src\/config\/schema\.ts\)$/);
});

test("gateway maxReplicas below replicas fails", () => {
  const env = withChange(dev, (e) => (e.platform.gateway.maxReplicas = 0));
  expect(() => platformStackOf(env)).toThrow(
    `environment "dev", release "llm-gateway" (chart llm-gateway), platform.gateway.maxReplicas: expected maxReplicas (0) ≥ replicas (1)`,
  );
});

test("managed Redis without the cluster's endpoint fails", () => {
  const staging = ENVIRONMENTS.find((e) => e.name === "staging")!;
  expect(() => platformStackOf(staging, { managedRedis: undefined })).toThrow(
    `environment "staging", redis, redis.mode: redis.mode is managed but the cluster outputs carry no managed Redis endpoint`,
  );
});

describe("construct props are validated first", () => {
  test("GpuEnablement needs a GPU group", () => {
    expect(() => new GpuEnablement(Testing.app(), "g", { environment: "dev", gpuScheduling: {} })).toThrow("gpuScheduling must hold at least one GPU node group");
  });
  test("the AWS Load Balancer Controller needs the cluster's VPC id (or it would ask the metadata service)", () => {
    expect(() => new LoadBalancerController(Testing.app(), "l", { environment: "dev", clusterName: "llm-dev", region: "us-east-1", vpcId: undefined })).toThrow(
      /^environment "dev", aws-load-balancer-controller, cluster\.vpcId: the cluster outputs carry no VPC id/,
    );
  });
  test("metrics-server takes at least one replica", () => {
    expect(() => new MetricsServer(Testing.app(), "m", { environment: "dev", replicas: 0 })).toThrow("replicas (0) must be an integer of at least 1");
  });
  test("Monitoring needs whole days of retention", () => {
    expect(
      () => new Monitoring(Testing.app(), "m", { environment: "dev", namespace: "monitoring", retentionDays: 0, storageGiB: 20, storageClassName: "gp3-encrypted" }),
    ).toThrow("retentionDays (0) must be a positive integer");
  });
});
