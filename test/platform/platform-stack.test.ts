import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Testing } from "cdktf";
import { Release } from "@cdktf/provider-helm/lib/release";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { StorageClassV1 } from "@cdktf/provider-kubernetes/lib/storage-class-v1";
import { UPSTREAM_CHARTS, EXACT_VERSION } from "../../constructs/private/helm-charts";
import { GATEWAY_IMAGE } from "../../constructs/gateway";
import { ENVIRONMENTS, REPO, platformStackOf, withChange } from "./fixtures";

const synthesized = ENVIRONMENTS.map((env) => {
  const stack = platformStackOf(env);
  return { env, stack, json: Testing.synth(stack) };
});

describe.each(synthesized)("platform stack of $env.name", ({ env, stack, json }) => {
  test("authenticates the Helm provider with a short-lived EKS token", () => {
    expect(json).toHaveProviderWithProperties(HelmProvider, {
      kubernetes: expect.objectContaining({
        host: "https://ABCDEF.gr7.us-east-1.eks.amazonaws.com",
        exec: {
          api_version: "client.authentication.k8s.io/v1beta1",
          command: "aws",
          args: ["eks", "get-token", "--cluster-name", `llm-${env.name}`, "--region", env.aws.region, "--output", "json"],
        },
      }),
    });
  });

  test("keeps its state under its own key with locking", () => {
    const backend = (JSON.parse(json) as { terraform: { backend: { s3: Record<string, unknown> } } }).terraform.backend.s3;
    expect(backend).toMatchObject({ key: `${env.stateBackend.keyPrefix}/${env.name}-platform.tfstate`, encrypt: true, use_lockfile: true });
  });

  test("installs every upstream chart at its pinned version", () => {
    const expected = Object.values(UPSTREAM_CHARTS).filter((c) => c !== UPSTREAM_CHARTS.redis || env.redis.mode === "in-cluster");
    for (const chart of expected) {
      expect(json).toHaveResourceWithProperties(Release, { chart: chart.chart, version: chart.version, repository: chart.repository });
      expect(chart.version).toMatch(EXACT_VERSION);
    }
    for (const r of stack.releases.filter((x) => !x.local)) expect(r.version).toMatch(EXACT_VERSION);
  });

  test("one vLLM release per model and the RAG services, from the environment only", () => {
    const names = stack.releases.map((r) => r.releaseName);
    for (const m of env.models) expect(names).toContain(`vllm-${m.name}`);
    expect(names).toEqual(expect.arrayContaining(["tei-embedder", "tei-reranker", "qdrant", "llm-gateway", "llm-observability"]));
    expect(names.includes("tei-injection")).toBe(env.platform.textEmbeddings.classifiers);
  });

  test("Prometheus retention and disk come from the environment, on encrypted gp3", () => {
    const values = stack.monitoring.release.values as { prometheus: { prometheusSpec: { retention: string; storageSpec: unknown } } };
    expect(values.prometheus.prometheusSpec.retention).toBe(`${env.platform.monitoring.retentionDays}d`);
    expect(JSON.stringify(values.prometheus.prometheusSpec.storageSpec)).toContain(`"${env.platform.monitoring.storageGiB}Gi"`);
    expect(json).toHaveResourceWithProperties(StorageClassV1, { parameters: { type: "gp3", encrypted: "true", fsType: "ext4" } });
  });

  test("Grafana's admin password is a generated secret, referenced by name", () => {
    const values = stack.monitoring.release.values as { grafana: { admin: Record<string, string>; adminPassword?: string } };
    expect(values.grafana.admin.existingSecret).toBe("grafana-admin");
    expect(values.grafana.adminPassword).toBeUndefined();
    expect(json).toHaveResourceWithProperties(SecretV1, {
      metadata: expect.objectContaining({ name: "grafana-admin" }),
      data: expect.objectContaining({ "admin-password": expect.stringMatching(/^\$\{random_password\.[\w-]+\.result\}$/) }),
    });
  });

  test("Redis follows the environment's mode", () => {
    const config = stack.gateway.config as { redis: { url: string; passwordEnv: string } };
    expect(config.redis.passwordEnv).toBe("REDIS_PASSWORD");
    expect(config.redis.url).toMatch(env.redis.mode === "managed" ? /^rediss:\/\/master\./ : /^redis:\/\/redis\.redis\.svc/);
  });
  test("the gateway's guardrails consult the in-cluster classifiers exactly when the environment deploys them", () => {
    const guardrails = (stack.gateway.config as { guardrails: { classifierEndpoints: Record<string, { url: string }>; injection?: { tei?: { model: string } } } })
      .guardrails;
    if (env.platform.textEmbeddings.classifiers) {
      expect(Object.keys(guardrails.classifierEndpoints).sort()).toEqual(["protectai/deberta-v3-base-prompt-injection-v2", "unitary/toxic-bert"]);
      expect(guardrails.classifierEndpoints["unitary/toxic-bert"]!.url).toMatch(/^http:\/\/tei-toxicity\..+\.svc\.cluster\.local:\d+$/);
      expect(guardrails.injection?.tei?.model).toBe("protectai/deberta-v3-base-prompt-injection-v2");
    } else {
      expect(guardrails.classifierEndpoints).toEqual({});
      expect(guardrails.injection).toBeUndefined();
    }
  });
});

test("the wired app synthesizes a platform stack per environment that reads the cluster stack's outputs", () => {
  // environment-stacks.ts passes cluster.outputs: tokens become remote-state references, never copied values.
  const { addEnvironmentStacks } = require("../../stacks/environment-stacks") as typeof import("../../stacks/environment-stacks");
  const app = Testing.app();
  const env = ENVIRONMENTS.find((e) => e.name === "dev")!;
  const { platform } = addEnvironmentStacks(app, env);
  app.synth();
  const json = readFileSync(join(app.outdir, "stacks", platform.node.id, "cdk.tf.json"), "utf8");
  expect(json).toContain("data.terraform_remote_state");
  expect(json).toMatch(/s3Bucket: \$\{data\.terraform_remote_state\.[^}]+\}/);
});

test("no generated secret value or literal password appears in the synthesized stacks", () => {
  for (const { json } of synthesized) {
    expect(json).not.toMatch(/"(password|adminPassword|api_key|apiKey)"\s*:\s*"(?!\$\{)[^"]+"/i);
    expect(json).not.toMatch(/adminPassword:/);
  }
  // The charts' own defaults carry no credentials either.
  for (const chart of ["vllm-model", "text-embeddings", "llm-gateway", "observability"]) {
    expect(readFileSync(join(REPO, "charts", chart, "values.yaml"), "utf8")).not.toMatch(/password:|apiKey:\s*\S/i);
  }
});

test("the gateway release pulls the environment's image when set, and the built-in default otherwise", () => {
  const dev = ENVIRONMENTS.find((e) => e.name === "dev")!;
  const imageOf = (env: typeof dev): unknown => platformStackOf(env).releases.find((r) => r.releaseName === "llm-gateway")?.values.image;
  expect(imageOf(dev)).toMatchObject({ repository: GATEWAY_IMAGE.repository, tag: GATEWAY_IMAGE.tag });
  const pinned = withChange(dev, (e) => (e.platform.gateway.image = { repository: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/llm-gateway", tag: "3f9c2ab" }));
  expect(imageOf(pinned)).toMatchObject({ repository: "123456789012.dkr.ecr.eu-central-1.amazonaws.com/llm-gateway", tag: "3f9c2ab" });
});

test("traces go to the environment's OTLP endpoint when it names one; otherwise nothing is exported", () => {
  const dev = ENVIRONMENTS.find((e) => e.name === "dev")!;
  const envOf = (env: typeof dev): Array<{ name: string; value: string }> =>
    (platformStackOf(env).releases.find((r) => r.releaseName === "llm-gateway")?.values.env ?? []) as Array<{ name: string; value: string }>;
  expect(envOf(dev).map((e) => e.name)).not.toContain("OTEL_EXPORTER_OTLP_ENDPOINT");
  const traced = withChange(dev, (e) => (e.platform.gateway.otlpEndpoint = "http://otel-collector.monitoring:4318"));
  expect(envOf(traced)).toContainEqual({ name: "OTEL_EXPORTER_OTLP_ENDPOINT", value: "http://otel-collector.monitoring:4318" });
  expect(envOf(traced)).toContainEqual({ name: "OTEL_SERVICE_NAME", value: "llm-gateway" });
});

test("the gateway's shutdown (delay, then drain) fits in the chart's termination grace period", () => {
  const dev = ENVIRONMENTS.find((e) => e.name === "dev")!;
  const server = (platformStackOf(dev).releases.find((r) => r.releaseName === "llm-gateway")?.values.config as { server: { shutdownDelayMs: number; shutdownGraceMs: number } }).server;
  const template = readFileSync(join(REPO, "charts/llm-gateway/templates/deployment.yaml"), "utf8");
  const graceSeconds = Number(/terminationGracePeriodSeconds:\s*(\d+)/.exec(template)?.[1]);
  expect(server.shutdownDelayMs).toBeGreaterThan(0);
  // Kubernetes sends SIGKILL after the grace period: delay + drain must end before it.
  expect(server.shutdownDelayMs + server.shutdownGraceMs).toBeLessThan(graceSeconds * 1000);
});
