/**
 * The workloads our releases declare for the scheduling check are the ones their charts render: every release of
 * our charts in every environment is rendered (tools/chart-render) and its Deployments, StatefulSets and
 * DaemonSets (replicas, pod requests as the scheduler counts them, GPUs, nodeSelector, tolerations, rollout surge)
 * and its HPA's or ScaledObject's maximum are compared with the declaration.
 */
import { localChartDir, type LocalChartName } from "../../constructs/private/helm-charts";
import { cpuMillis, memoryMiB, type Workload } from "../../constructs/private/workloads";
import { renderChart } from "../support/chart-render";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

type Obj = Record<string, any>; // rendered manifests are free-form trees

/** A pod's effective request, as the scheduler computes it: the larger of the containers' sum and any init container. */
function podRequest(spec: Obj): { cpu: number; mem: number; gpus: number } {
  const of = (c: Obj) => ({
    cpu: cpuMillis(String(c.resources?.requests?.cpu ?? "0")) ?? NaN,
    mem: memoryMiB(String(c.resources?.requests?.memory ?? "0")) ?? NaN,
    gpus: Number(c.resources?.requests?.["nvidia.com/gpu"] ?? c.resources?.limits?.["nvidia.com/gpu"] ?? 0),
  });
  const sum = (spec.containers as Obj[]).map(of).reduce((a, b) => ({ cpu: a.cpu + b.cpu, mem: a.mem + b.mem, gpus: a.gpus + b.gpus }));
  const init = ((spec.initContainers ?? []) as Obj[]).map(of);
  return { cpu: Math.max(sum.cpu, ...init.map((i) => i.cpu)), mem: Math.max(sum.mem, ...init.map((i) => i.mem)), gpus: Math.max(sum.gpus, ...init.map((i) => i.gpus)) };
}

function surgeOf(doc: Obj, pods: number): number {
  if (doc.kind !== "Deployment") return 0;
  const s = doc.spec.strategy?.rollingUpdate?.maxSurge ?? "25%";
  return typeof s === "number" ? s : Math.ceil((Number(String(s).replace("%", "")) / 100) * pods);
}

function normalized(w: Workload) {
  return {
    name: w.name,
    kind: w.kind,
    replicas: w.replicas ?? 1,
    maxReplicas: w.maxReplicas ?? w.replicas ?? 1,
    surge: w.surge ?? 0,
    cpu: cpuMillis(w.requests.cpu),
    mem: memoryMiB(w.requests.memory),
    gpus: w.requests.gpus ?? 0,
    nodeSelector: w.nodeSelector ?? {},
    tolerations: (w.tolerations ?? []).map((t) => ({ ...t })),
  };
}

const cases = ENVIRONMENTS.flatMap((env) =>
  platformStackOf(env)
    .releases.filter((r) => r.local)
    .map((r) => [`${env.name}/${r.releaseName}`, r] as const),
);

describe.each(cases)("%s", (_name, release) => {
  test("declares the workloads its chart renders", () => {
    const docs = renderChart(localChartDir(release.chartName as LocalChartName), release.values as Record<string, unknown>, release.releaseName, release.namespace).map((d) => d.doc as Obj);
    const scalers = docs.filter((d) => d.kind === "HorizontalPodAutoscaler" || d.kind === "ScaledObject");
    const rendered = docs
      .filter((d) => ["Deployment", "StatefulSet", "DaemonSet"].includes(d.kind))
      .map((d) => {
        const scaler = scalers.find((s) => (s.spec.scaleTargetRef?.name ?? "") === d.metadata.name);
        // A Deployment left to its autoscaler renders no replicas: it starts at the autoscaler's minimum.
        const replicas = d.kind === "DaemonSet" ? 1 : Number(d.spec.replicas ?? scaler?.spec.minReplicas ?? scaler?.spec.minReplicaCount ?? 1);
        const maxReplicas = scaler ? Number(scaler.spec.maxReplicas ?? scaler.spec.maxReplicaCount) : replicas;
        const req = podRequest(d.spec.template.spec);
        return {
          name: d.metadata.name,
          kind: d.kind,
          replicas,
          maxReplicas,
          surge: surgeOf(d, maxReplicas),
          cpu: req.cpu,
          mem: req.mem,
          gpus: req.gpus,
          nodeSelector: d.spec.template.spec.nodeSelector ?? {},
          tolerations: d.spec.template.spec.tolerations ?? [],
        };
      });
    expect(release.workloads?.map(normalized)).toEqual(rendered);
  });
});
