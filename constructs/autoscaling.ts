/**
 * KEDA, which turns the vLLM releases' ScaledObjects (scale on vllm:num_requests_waiting from Prometheus) into
 * HPAs. Chosen over prometheus-adapter: docs/decisions/0011-keda-for-vllm-autoscaling.md.
 */
import { Construct } from "constructs";
import { HelmRelease } from "./private/helm-release";
import { UPSTREAM_CHARTS } from "./private/helm-charts";
import type { PlatformReleaseProps } from "./private/platform-release-props";
import { requestsOf, type ResourcesValues } from "./private/workloads";

/** Requests and limits of each KEDA pod. */
const KEDA_RESOURCES: ResourcesValues = { requests: { cpu: "100m", memory: "100Mi" }, limits: { cpu: "1", memory: "1000Mi" } };

/** Props of Autoscaling. */
export interface AutoscalingProps extends PlatformReleaseProps {
  /** Export KEDA's own metrics with ServiceMonitors (needs the Prometheus Operator CRDs). @default true */
  readonly serviceMonitors?: boolean;
}

/** The KEDA operator (provides the ScaledObject CRD: depend on it). */
export class Autoscaling extends Construct {
  /** The release. */
  readonly release: HelmRelease;

  constructor(scope: Construct, id: string, props: AutoscalingProps) {
    super(scope, id);
    const monitors = props.serviceMonitors ?? true;
    this.release = new HelmRelease(this, "keda", {
      environment: props.environment,
      releaseName: "keda",
      namespace: props.namespace,
      chart: UPSTREAM_CHARTS.keda,
      dependsOn: props.dependsOn,
      values: {
        prometheus: {
          operator: { enabled: monitors, serviceMonitor: { enabled: monitors } },
          metricServer: { enabled: monitors, serviceMonitor: { enabled: monitors } },
        },
        // kedacore/charts@v2.17.2:keda/values.yaml's defaults (resources.operator/metricServer/webhooks), made explicit.
        resources: { operator: KEDA_RESOURCES, metricServer: KEDA_RESOURCES, webhooks: KEDA_RESOURCES },
        securityContext: {
          operator: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        },
      },
      workloads: (["keda-operator", "keda-operator-metrics-apiserver", "keda-admission-webhooks"] as const).map((name) => ({
        name,
        kind: "Deployment" as const,
        replicas: 1,
        surge: 1,
        requests: requestsOf(KEDA_RESOURCES),
      })),
    });
  }
}
