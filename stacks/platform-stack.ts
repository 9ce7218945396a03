/**
 * `<env>-platform`: what Kubernetes runs for one environment, as Helm releases configured from the cluster stack's
 * typed outputs. The Kubernetes and Helm providers authenticate with a short-lived EKS token (`aws eks get-token`
 * at plan/apply time), never with a stored credential. Everything is derived from the environment file, so cloning
 * an environment stays a one-file change.
 *
 * Namespaces: monitoring (kube-prometheus-stack, DCGM exporter, rules and dashboards), keda, models (vLLM),
 * rag (TEI and Qdrant), redis (in-cluster Redis), llm-gateway; the device plugin, the AWS Load Balancer Controller
 * and metrics-server run in kube-system.
 */
import { Construct } from "constructs";
import { S3Backend, TerraformOutput, TerraformStack, Fn, type ITerraformDependable } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsSecretsmanagerSecretVersion } from "@cdktf/provider-aws/lib/data-aws-secretsmanager-secret-version";
import { HelmProvider } from "@cdktf/provider-helm/lib/provider";
import { KubernetesProvider } from "@cdktf/provider-kubernetes/lib/provider";
import { NamespaceV1 } from "@cdktf/provider-kubernetes/lib/namespace-v1";
import { SecretV1 } from "@cdktf/provider-kubernetes/lib/secret-v1";
import { ServiceAccountV1 } from "@cdktf/provider-kubernetes/lib/service-account-v1";
import { RandomProvider } from "@cdktf/provider-random/lib/provider";
import { describeAlertReceiver } from "../constructs/alert-receiver";
import { Autoscaling } from "../constructs/autoscaling";
import { ClusterAutoscaler } from "../constructs/cluster-autoscaler";
import { DcgmExporter } from "../constructs/dcgm-exporter";
import { Gateway, type ProtectedWorkload } from "../constructs/gateway";
import { GpuEnablement } from "../constructs/gpu-enablement";
import { InClusterRedis } from "../constructs/in-cluster-redis";
import { LoadBalancerController } from "../constructs/load-balancer-controller";
import { MetricsServer } from "../constructs/metrics-server";
import { Monitoring } from "../constructs/monitoring";
import { Observability } from "../constructs/observability";
import { Qdrant } from "../constructs/qdrant";
import { TextEmbeddings, type TeiRole } from "../constructs/text-embeddings";
import { VllmModel, VLLM_PORT } from "../constructs/vllm-model";
import type { HelmRelease } from "../constructs/private/helm-release";
import { PlatformConfigError } from "../constructs/private/platform-errors";
import { EncryptedGp3StorageClass } from "../constructs/private/platform-storage-class";
import type { ClusterOutputs } from "./cluster-outputs";
import { qdrantReplicationFactor, resourceTags, type EnvironmentConfig } from "./environment-config";

/** Props of the platform stack. */
export interface PlatformStackProps {
  /** The validated environment. */
  readonly env: EnvironmentConfig;
  /** The cluster stack's outputs. */
  readonly cluster: ClusterOutputs;
}

/** The platform's namespaces. */
export const PLATFORM_NAMESPACES = {
  monitoring: "monitoring",
  keda: "keda",
  rag: "rag",
  redis: "redis",
} as const;

/** The Kubernetes layer of one environment. */
export class PlatformStack extends TerraformStack {
  /** Every Helm release, for tests and for the charts CI (values files). */
  readonly releases: HelmRelease[] = [];
  /** The model servers, by model name. */
  readonly models: Readonly<Record<string, VllmModel>>;
  readonly gateway: Gateway;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: PlatformStackProps) {
    super(scope, id);
    const { env, cluster } = props;
    const name = env.name;

    new S3Backend(this, {
      bucket: env.stateBackend.bucket,
      key: `${env.stateBackend.keyPrefix}/${id}.tfstate`,
      region: env.stateBackend.region,
      encrypt: true,
      dynamodbTable: env.stateBackend.dynamodbTable,
    });
    if (env.stateBackend.useLockfile) this.addOverride("terraform.backend.s3.use_lockfile", true);

    // Short-lived token from the caller's AWS credentials, fetched by the providers at plan/apply time.
    const exec = {
      apiVersion: "client.authentication.k8s.io/v1beta1",
      command: "aws",
      args: ["eks", "get-token", "--cluster-name", cluster.clusterName, "--region", cluster.region, "--output", "json"],
    };
    const connection = { host: cluster.clusterEndpoint, clusterCaCertificate: Fn.base64decode(cluster.clusterCertificateAuthorityData) };
    new KubernetesProvider(this, "kubernetes", { ...connection, exec: [exec] });
    new HelmProvider(this, "helm", { kubernetes: { ...connection, exec } });
    new RandomProvider(this, "random");
    new AwsProvider(this, "aws", { region: env.aws.region, allowedAccountIds: [env.aws.accountId], defaultTags: [{ tags: resourceTags(env) }] });

    const gatewayNs = cluster.gateway.namespace;
    const modelsNs = cluster.modelReader.namespace;
    const nsNames = [...new Set([...Object.values(PLATFORM_NAMESPACES), gatewayNs, modelsNs])].filter(
      (n) => n !== PLATFORM_NAMESPACES.redis || env.redis.mode === "in-cluster",
    );
    const namespaces = Object.fromEntries(
      nsNames.map((n) => [
        n,
        new NamespaceV1(this, `namespace-${n}`, {
          metadata: { name: n, labels: { "app.kubernetes.io/part-of": "llm-platform", "pod-security.kubernetes.io/warn": "restricted" } },
        }),
      ]),
    );
    const ns = (n: string): ITerraformDependable[] => (namespaces[n] ? [namespaces[n]] : []);
    const storage = new EncryptedGp3StorageClass(this, "storage-class");

    const gpuGroups = Object.values(cluster.gpuScheduling);
    const gpu = gpuGroups.length > 0 ? new GpuEnablement(this, "gpu-enablement", { environment: name, gpuScheduling: cluster.gpuScheduling }) : undefined;
    if (gpu) this.releases.push(gpu.release);

    this.monitoring = new Monitoring(this, "monitoring", {
      environment: name,
      namespace: PLATFORM_NAMESPACES.monitoring,
      retentionDays: env.platform.monitoring.retentionDays,
      storageGiB: env.platform.monitoring.storageGiB,
      alerts: env.platform.monitoring.alerts,
      storageClassName: storage.name,
      dependsOn: [...ns(PLATFORM_NAMESPACES.monitoring), storage.resource],
    });
    const crds = [this.monitoring.release.release];
    this.releases.push(this.monitoring.release);

    // Spot GPU nodes need no termination handler: EKS managed node groups drain them on a rebalance recommendation
    // or interruption notice (docs/decisions/0075-no-node-termination-handler.md).
    const lbc = new LoadBalancerController(this, "aws-load-balancer-controller", {
      environment: name,
      clusterName: cluster.clusterName,
      region: cluster.region,
      vpcId: cluster.vpcId,
      dependsOn: crds,
    });
    this.releases.push(lbc.release);
    this.releases.push(new MetricsServer(this, "metrics-server", { environment: name, dependsOn: crds }).release);
    if (gpuGroups.length > 0) {
      this.releases.push(
        new DcgmExporter(this, "dcgm-exporter", { environment: name, namespace: PLATFORM_NAMESPACES.monitoring, gpuScheduling: cluster.gpuScheduling, dependsOn: crds }).release,
      );
    }
    // Node autoscaling: Pending pods (KEDA's extra model replicas, rollouts) get nodes up to each group's max.
    this.releases.push(
      new ClusterAutoscaler(this, "cluster-autoscaler", {
        environment: name,
        namespace: "kube-system",
        clusterName: cluster.clusterName,
        region: cluster.region,
        kubernetesVersion: env.cluster.kubernetesVersion,
        dependsOn: crds,
      }).release,
    );
    const keda = new Autoscaling(this, "autoscaling", { environment: name, namespace: PLATFORM_NAMESPACES.keda, dependsOn: [...ns(PLATFORM_NAMESPACES.keda), ...crds] });
    this.releases.push(keda.release);

    const qdrant = new Qdrant(this, "qdrant", {
      environment: name,
      namespace: PLATFORM_NAMESPACES.rag,
      replicas: env.platform.qdrant.replicas,
      storageGiB: env.platform.qdrant.storageGiB,
      snapshotStorageGiB: env.platform.qdrant.snapshotStorageGiB,
      storageClassName: storage.name,
      clientNamespaces: [gatewayNs],
      dependsOn: [...ns(PLATFORM_NAMESPACES.rag), ...ns(gatewayNs), storage.resource, ...crds],
    });
    this.releases.push(qdrant.release);

    // Redis: in-cluster release, or ElastiCache whose AUTH token is copied from Secrets Manager into a secret.
    const protectedWorkloads: ProtectedWorkload[] = [];
    let redis: { url: string; password: { secretName: string; key: string }; dependsOn: ITerraformDependable[] };
    if (env.redis.mode === "in-cluster") {
      const r = new InClusterRedis(this, "redis", {
        environment: name,
        namespace: PLATFORM_NAMESPACES.redis,
        storageGiB: env.redis.storageGiB,
        replicas: env.redis.replicas,
        storageClassName: storage.name,
        clientNamespaces: [gatewayNs],
        dependsOn: [...ns(PLATFORM_NAMESPACES.redis), ...ns(gatewayNs), storage.resource, ...crds],
      });
      this.releases.push(r.release);
      redis = { url: `redis://${r.host}:${r.port}`, password: { secretName: r.passwordSecret.secretName, key: r.passwordSecret.key }, dependsOn: [...r.passwordSecret.secrets] };
      protectedWorkloads.push({ name: "redis", namespace: PLATFORM_NAMESPACES.redis, podSelector: r.podSelector, ports: [r.port], metricsPorts: [9121], peerPorts: [r.port] });
    } else {
      const managed = cluster.managedRedis;
      if (!managed) {
        throw new PlatformConfigError({ environment: name, subject: "redis", path: "redis.mode" }, "redis.mode is managed but the cluster outputs carry no managed Redis endpoint");
      }
      const token = new DataAwsSecretsmanagerSecretVersion(this, "redis-auth-token", { secretId: managed.authSecretArn });
      const secret = new SecretV1(this, "redis-auth", {
        metadata: { name: "redis-auth", namespace: gatewayNs },
        type: "Opaque",
        data: { "redis-password": token.secretString },
        dependsOn: ns(gatewayNs),
      });
      redis = { url: `rediss://${managed.endpoint}:${managed.port}`, password: { secretName: "redis-auth", key: "redis-password" }, dependsOn: [secret] };
    }

    // TEI: embedder and reranker always; classifiers for the guardrails when asked for.
    const tei = env.platform.textEmbeddings;
    const teiGpu = tei.device === "gpu" && tei.nodeGroup ? cluster.gpuScheduling[tei.nodeGroup] : undefined;
    const roles: Array<[TeiRole, number]> = [
      ["embedder", tei.embedderReplicas],
      ["reranker", tei.rerankerReplicas],
      ...(tei.classifiers ? ([["injection", 1], ["toxicity", 1]] as Array<[TeiRole, number]>) : []),
    ];
    const teiReleases = Object.fromEntries(
      roles.map(([role, replicas]) => {
        const t = new TextEmbeddings(this, `tei-${role}`, {
          environment: name,
          role,
          namespace: PLATFORM_NAMESPACES.rag,
          replicas,
          device: tei.device,
          gpu: teiGpu,
          ...(tei.requests && (role === "embedder" || role === "reranker") ? { requests: tei.requests } : {}),
          dependsOn: [...ns(PLATFORM_NAMESPACES.rag), ...crds, ...(gpu && teiGpu ? [gpu.release.release] : [])],
        });
        this.releases.push(t.release);
        protectedWorkloads.push({ name: t.releaseName, namespace: PLATFORM_NAMESPACES.rag, podSelector: t.podSelector, ports: [t.containerPort], metricsPorts: [t.containerPort] });
        return [role, t];
      }),
    ) as Partial<Record<TeiRole, TextEmbeddings>>;

    // One vLLM release per model, reading weights with the model-reader identity.
    const modelReader = new ServiceAccountV1(this, "model-reader", {
      metadata: { name: cluster.modelReader.serviceAccount, namespace: modelsNs, labels: { "app.kubernetes.io/part-of": "llm-platform" } },
      dependsOn: ns(modelsNs),
    });
    const models: Record<string, VllmModel> = {};
    env.models.forEach((model, i) => {
      const m = new VllmModel(this, `vllm-${model.name}`, {
        environment: name,
        model,
        modelIndex: i,
        gpuScheduling: cluster.gpuScheduling,
        modelBucketName: cluster.modelBucketName,
        namespace: modelsNs,
        serviceAccountName: cluster.modelReader.serviceAccount,
        prometheusUrl: this.monitoring.prometheusUrl,
        dependsOn: [modelReader, ...crds, keda.release.release, ...(gpu ? [gpu.release.release] : [])],
      });
      models[model.name] = m;
      this.releases.push(m.release);
      protectedWorkloads.push({ name: m.releaseName, namespace: modelsNs, podSelector: m.podSelector, ports: [VLLM_PORT], metricsPorts: [VLLM_PORT] });
    });
    this.models = models;
    protectedWorkloads.push({ name: "qdrant", namespace: PLATFORM_NAMESPACES.rag, podSelector: qdrant.podSelector, ports: [qdrant.ports.rest, qdrant.ports.grpc], metricsPorts: [qdrant.ports.rest], peerPorts: [qdrant.ports.p2p] });

    const gw = env.platform.gateway;
    this.gateway = new Gateway(this, "gateway", {
      environment: name,
      namespace: gatewayNs,
      serviceAccountName: cluster.gateway.serviceAccount,
      replicas: gw.replicas,
      maxReplicas: gw.maxReplicas,
      ingressHost: gw.ingressHost,
      oidcIssuer: gw.oidcIssuer,
      oidcAudience: gw.oidcAudience,
      ...(gw.image ? { image: gw.image } : {}),
      ...(gw.otlpEndpoint ? { otlpEndpoint: gw.otlpEndpoint } : {}),
      models: env.models.map((model) => ({
        name: model.name,
        huggingFaceId: model.huggingFaceId,
        upstreams: [models[model.name]!.url.replace(/\/v1$/, "")],
        contextLength: model.maxModelLen,
        parametersBillions: model.parametersBillions,
        serving: model.replicas > 0 || (model.autoscaling?.maxReplicas ?? 0) > 0,
        pricePer1kTokens: model.pricePer1kTokens,
      })),
      embedderUrl: teiReleases.embedder!.url,
      rerankerUrl: teiReleases.reranker!.url,
      classifierUrls: { injection: teiReleases.injection?.url, toxicity: teiReleases.toxicity?.url },
      qdrant: {
        url: qdrant.url,
        apiKey: { secretName: qdrant.apiKeySecret.secretName, key: qdrant.apiKeySecret.key },
        replicationFactor: qdrantReplicationFactor(env.platform.qdrant),
        writeConsistencyFactor: env.platform.qdrant.writeConsistencyFactor,
      },
      redis: { url: redis.url, password: redis.password },
      protectedWorkloads,
      // The controller's webhooks and IngressClass must exist before the gateway's Ingress.
      dependsOn: [...ns(gatewayNs), ...crds, ...qdrant.apiKeySecret.secrets, ...redis.dependsOn, lbc.release.release],
    });
    this.releases.push(this.gateway.release);

    this.releases.push(
      new Observability(this, "observability", {
        environment: name,
        namespace: PLATFORM_NAMESPACES.monitoring,
        prometheusUrl: this.monitoring.prometheusUrl,
        dependsOn: crds,
      }).release,
    );

    const g = this.monitoring.grafanaService;
    new TerraformOutput(this, "grafana_port_forward", {
      value: `kubectl -n ${g.namespace} port-forward svc/${g.name} 3000:${g.port}`,
      description: "Command that makes Grafana reachable on http://localhost:3000 (user admin, password in the grafana-admin secret)",
    });
    new TerraformOutput(this, "alert_receiver", { value: describeAlertReceiver(env.platform.monitoring.alerts), description: "Where Alertmanager sends alerts (platform.monitoring.alerts)" });
    new TerraformOutput(this, "gateway_url", { value: this.gateway.url, description: "In-cluster URL of the LLM gateway" });
    new TerraformOutput(this, "helm_releases", {
      value: this.releases.map((r) => `${r.namespace}/${r.releaseName}`).join(","),
      description: "Helm releases of the platform, as namespace/name",
    });
  }
}
