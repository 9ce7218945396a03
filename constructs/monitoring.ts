/**
 * kube-prometheus-stack: Prometheus (retention and disk from the environment, on encrypted gp3), Alertmanager,
 * Grafana (admin password generated into a Kubernetes secret and referenced by name) with the dashboard sidecar
 * watching every namespace, kube-state-metrics and node-exporter. Prometheus selects every ServiceMonitor,
 * PodMonitor and PrometheusRule in the cluster, so the other releases only need to ship theirs.
 */
import { Construct } from "constructs";
import { alertmanagerValues, type AlertReceiver } from "./alert-receiver";
import { NODE_LABELS } from "./node-labels";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import { GeneratedSecret } from "./private/platform-secret";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** Release name; also the prefix of the stack's Services (kube-prometheus-stack-prometheus, -grafana). */
export const MONITORING_RELEASE = "kube-prometheus-stack";

/**
 * Requests of the stack's pods (the chart sets none). Values keys verified in kube-prometheus-stack 77.5.0's
 * values.yaml (prometheus.prometheusSpec.resources, alertmanager.alertmanagerSpec.resources,
 * prometheusOperator.resources) and its subcharts' (grafana 9.4.4, kube-state-metrics 6.3.0,
 * prometheus-node-exporter 4.47.3: top-level resources).
 */
export const MONITORING_RESOURCES = {
  prometheus: { requests: { cpu: "500m", memory: "2Gi" }, limits: { memory: "4Gi" } },
  alertmanager: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  operator: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  kubeStateMetrics: { requests: { cpu: "50m", memory: "128Mi" }, limits: { memory: "256Mi" } },
  grafana: { requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } },
  nodeExporter: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
} as const satisfies Record<string, ResourcesValues>;

/** Props of Monitoring. */
export interface MonitoringProps extends PlatformReleaseProps {
  /** Days Prometheus keeps samples. */
  readonly retentionDays: number;
  /** Prometheus volume size in GiB. */
  readonly storageGiB: number;
  /** StorageClass of the volume (encrypted gp3). */
  readonly storageClassName: string;
  /** Where Alertmanager sends alerts. @default { receiver: "none" } */
  readonly alerts?: AlertReceiver;
  /** Dashboard sidecar label. @default "grafana_dashboard" */
  readonly dashboardLabel?: string;
}

/** The monitoring stack. */
export class Monitoring extends Construct {
  /** The release (provides the ServiceMonitor and PrometheusRule CRDs: depend on it). */
  readonly release: HelmRelease;
  /** In-cluster URL of Prometheus. */
  readonly prometheusUrl: string;
  /** Grafana Service name and namespace, for port-forwarding. */
  readonly grafanaService: { readonly name: string; readonly namespace: string; readonly port: number };
  /** Secret holding Grafana's admin user and password. */
  readonly grafanaAdminSecret: GeneratedSecret;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    if (!Number.isInteger(props.retentionDays) || props.retentionDays < 1) {
      throw new Error(`retentionDays (${props.retentionDays}) must be a positive integer`);
    }
    if (!Number.isInteger(props.storageGiB) || props.storageGiB < 10) {
      throw new Error(`storageGiB (${props.storageGiB}) must be an integer of at least 10`);
    }
    this.grafanaAdminSecret = new GeneratedSecret(this, "grafana-admin", {
      secretName: "grafana-admin",
      key: "admin-password",
      extraData: { "admin-user": "admin" },
      namespaces: [props.namespace],
      dependsOn: props.dependsOn,
    });
    // Keep 10% of the disk free: size-based retention stops Prometheus filling the volume before the time limit.
    const retentionSizeGiB = Math.floor(props.storageGiB * 0.9);
    const r = MONITORING_RESOURCES;
    this.release = new HelmRelease(this, "release", {
      environment: props.environment,
      releaseName: MONITORING_RELEASE,
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.kubePrometheusStack,
      dependsOn: [...(props.dependsOn ?? []), ...this.grafanaAdminSecret.secrets],
      timeoutSeconds: 900,
      values: {
        fullnameOverride: MONITORING_RELEASE,
        prometheus: {
          prometheusSpec: {
            retention: `${props.retentionDays}d`,
            retentionSize: `${retentionSizeGiB}GB`,
            resources: r.prometheus,
            serviceMonitorSelectorNilUsesHelmValues: false,
            podMonitorSelectorNilUsesHelmValues: false,
            ruleSelectorNilUsesHelmValues: false,
            storageSpec: {
              volumeClaimTemplate: {
                spec: {
                  storageClassName: props.storageClassName,
                  accessModes: ["ReadWriteOnce"],
                  resources: { requests: { storage: `${props.storageGiB}Gi` } },
                },
              },
            },
          },
        },
        alertmanager: (() => {
          const am = alertmanagerValues(props.alerts ?? { receiver: "none" });
          return { ...am, alertmanagerSpec: { ...am.alertmanagerSpec, resources: r.alertmanager } };
        })(),
        prometheusOperator: { resources: r.operator },
        // The SpotInterruption alert joins cordoned nodes with the platform's capacity-type node label.
        "kube-state-metrics": { resources: r.kubeStateMetrics, metricLabelsAllowlist: [`nodes=[${NODE_LABELS.capacityType}]`] },
        "prometheus-node-exporter": { resources: r.nodeExporter },
        grafana: {
          resources: r.grafana,
          admin: { existingSecret: this.grafanaAdminSecret.secretName, userKey: "admin-user", passwordKey: "admin-password" },
          sidecar: {
            dashboards: {
              enabled: true,
              label: props.dashboardLabel ?? "grafana_dashboard",
              labelValue: "1",
              searchNamespace: "ALL",
              folderAnnotation: "grafana_folder",
              provider: { foldersFromFilesStructure: true },
            },
          },
        },
      },
      workloads: [
        { name: "prometheus", kind: "StatefulSet", replicas: 1, requests: requestsOf(r.prometheus) },
        { name: "alertmanager", kind: "StatefulSet", replicas: 1, requests: requestsOf(r.alertmanager) },
        { name: "prometheus-operator", kind: "Deployment", replicas: 1, surge: 1, requests: requestsOf(r.operator) },
        { name: "kube-state-metrics", kind: "Deployment", replicas: 1, surge: 1, requests: requestsOf(r.kubeStateMetrics) },
        { name: "grafana", kind: "Deployment", replicas: 1, surge: 1, requests: requestsOf(r.grafana) },
        // prometheus-node-exporter 4.47.3's defaults: nodeSelector kubernetes.io/os=linux, tolerates every NoSchedule taint.
        { name: "node-exporter", kind: "DaemonSet", requests: requestsOf(r.nodeExporter), nodeSelector: { "kubernetes.io/os": "linux" }, tolerations: [{ operator: "Exists", effect: "NoSchedule" }] },
      ],
    });
    this.prometheusUrl = `http://${MONITORING_RELEASE}-prometheus.${props.namespace}.svc.cluster.local:9090`;
    this.grafanaService = { name: `${MONITORING_RELEASE}-grafana`, namespace: props.namespace, port: 80 };
  }
}
