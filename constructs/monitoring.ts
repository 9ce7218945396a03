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

/** Release name; also the prefix of the stack's Services (kube-prometheus-stack-prometheus, -grafana). */
export const MONITORING_RELEASE = "kube-prometheus-stack";

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
        alertmanager: alertmanagerValues(props.alerts ?? { receiver: "none" }),
        // The SpotInterruption alert joins cordoned nodes with the platform's capacity-type node label.
        "kube-state-metrics": { metricLabelsAllowlist: [`nodes=[${NODE_LABELS.capacityType}]`] },
        grafana: {
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
    });
    this.prometheusUrl = `http://${MONITORING_RELEASE}-prometheus.${props.namespace}.svc.cluster.local:9090`;
    this.grafanaService = { name: `${MONITORING_RELEASE}-grafana`, namespace: props.namespace, port: 80 };
  }
}
