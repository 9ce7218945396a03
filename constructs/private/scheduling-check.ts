/**
 * The scheduling check: places every workload of every release of an environment onto the environment's node
 * groups, as the Kubernetes scheduler and a node autoscaler bounded by each group's max would, and reports what
 * does not fit. A pod may go to a group whose labels satisfy its nodeSelector and node affinity and whose taints
 * it tolerates; each node offers the allocatable of the group's smallest instance type (node-allocatable.ts).
 * DaemonSets take their requests from every node they run on first; then the other pods are packed first-fit
 * (largest first) onto the groups' nodes, in three scenarios: the first install (every workload at its replica
 * count on each group's desired nodes, before the autoscaler adds any; only releases the apply waits for must fit),
 * then on the groups at max size every workload at its configured replica count, and at its autoscaling maximum,
 * each plus its rolling-update surge (an apply may roll every release at once). Not modelled: pod (anti-)affinity and topology spread, ephemeral storage, volumes'
 * zones; so passing is necessary, not sufficient.
 */
import type { Toleration } from "../gpu-node-group";
import { guaranteedAllocatable, type Allocatable } from "./node-allocatable";
import { cpuMillis, memoryMiB, type Workload, type WorkloadToleration } from "./workloads";

/** A node group as the scheduler sees it. */
export interface NodeGroupCapacity {
  /** Instance types the group may launch. */
  readonly instanceTypes: readonly string[];
  /** Nodes at the group's minimum, initial and maximum size. */
  readonly min: number;
  readonly desired: number;
  readonly max: number;
  /** Labels every node carries (the group's own and those EKS and the kubelet add). */
  readonly labels: Readonly<Record<string, string>>;
  /** Taints every node carries. */
  readonly taints: readonly Toleration[];
}

/** A release as the check needs it. */
export interface ReleaseWorkloads {
  readonly releaseName: string;
  readonly chartName: string;
  /** Undefined when the release declared nothing: that is a problem in itself. */
  readonly workloads?: readonly Workload[];
  /** Whether the apply waits for its pods (a pod of such a release must fit at first install). @default true */
  readonly wait?: boolean;
}

/** What does not fit, for one release and workload. */
export interface SchedulingProblem {
  readonly release: string;
  readonly workload?: string;
  readonly message: string;
}

/** Labels the kubelet and EKS put on every node of the platform's (x86_64 Linux) managed node groups. */
export function wellKnownNodeLabels(capacityType: "ON_DEMAND" | "SPOT"): Record<string, string> {
  return { "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64", "eks.amazonaws.com/capacityType": capacityType };
}

interface Pod {
  readonly release: string;
  readonly workload: string;
  readonly waited: boolean;
  readonly cpu: number;
  readonly mem: number;
  readonly gpus: number;
  readonly groups: readonly string[];
}

interface Node {
  readonly group: string;
  cpu: number;
  mem: number;
  gpus: number;
  pods: number;
}

function tolerates(tolerations: readonly WorkloadToleration[], taint: Toleration): boolean {
  if (taint.effect === "PreferNoSchedule") return true;
  return tolerations.some(
    (t) => (t.key === undefined || t.key === "" || t.key === taint.key) && (t.operator === "Exists" || t.value === taint.value) && (t.effect === undefined || t.effect === taint.effect),
  );
}

/** Why a workload cannot run on a group, or undefined when it can. */
function mismatch(w: Workload, group: NodeGroupCapacity): string | undefined {
  for (const [k, v] of Object.entries(w.nodeSelector ?? {})) {
    if (group.labels[k] !== v) return `nodeSelector ${k}=${v}`;
  }
  if (w.nodeAffinity && w.nodeAffinity.length > 0) {
    const ok = w.nodeAffinity.some((term) => Object.entries(term).every(([k, values]) => group.labels[k] !== undefined && values.includes(group.labels[k]!)));
    if (!ok) return "node affinity";
  }
  const untolerated = group.taints.find((t) => !tolerates(w.tolerations ?? [], t));
  if (untolerated) return `taint ${untolerated.key}=${untolerated.value ?? ""}:${untolerated.effect}`;
  return undefined;
}

const fmtCpu = (m: number) => (m % 1000 === 0 ? `${m / 1000}` : `${(m / 1000).toFixed(2).replace(/0$/, "")}`);
const fmtMem = (mib: number) => `${(mib / 1024).toFixed(1)} GiB`;
function fmtPod(p: { cpu: number; mem: number; gpus: number }): string {
  return `${fmtCpu(p.cpu)} CPU, ${fmtMem(p.mem)}${p.gpus > 0 ? `, ${p.gpus} GPU` : ""}`;
}
function fmtNode(name: string, g: NodeGroupCapacity, a: Allocatable, free?: { cpu: number; mem: number; gpus: number }): string {
  const left = free && (free.cpu !== a.cpuMillis || free.mem !== a.memoryMiB) ? `; ${fmtPod(free)} left after DaemonSets` : "";
  return `${name} (${g.instanceTypes.join("/")}: ${fmtCpu(a.cpuMillis)} CPU, ${fmtMem(a.memoryMiB)}${a.gpus > 0 ? `, ${a.gpus} GPU` : ""}, ${a.pods} pods allocatable per node${left})`;
}

/** Every problem of placing the releases on the groups; [] when everything fits. */
export function checkScheduling(groups: Readonly<Record<string, NodeGroupCapacity>>, releases: readonly ReleaseWorkloads[]): SchedulingProblem[] {
  const problems: SchedulingProblem[] = [];
  const names = Object.keys(groups).sort();
  const alloc = Object.fromEntries(names.map((n) => [n, guaranteedAllocatable(groups[n]!.instanceTypes)])) as Record<string, Allocatable>;
  // Per-node resources left after the DaemonSets.
  const perNode = Object.fromEntries(names.map((n) => [n, { cpu: alloc[n]!.cpuMillis, mem: alloc[n]!.memoryMiB, gpus: alloc[n]!.gpus, pods: alloc[n]!.pods }])) as Record<string, Omit<Node, "group">>;
  const replicated: Array<{ release: string; waited: boolean; w: Workload; cpu: number; mem: number; gpus: number; groups: string[] }> = [];

  for (const r of releases) {
    if (r.workloads === undefined) {
      problems.push({
        release: r.releaseName,
        message: `release ${r.releaseName} (chart ${r.chartName}) declares no workloads: give its HelmRelease the pods it runs (workloads, with their requests; [] for a chart that runs none)`,
      });
      continue;
    }
    for (const w of r.workloads) {
      const cpu = cpuMillis(w.requests.cpu);
      const mem = memoryMiB(w.requests.memory);
      if (cpu === undefined || mem === undefined) {
        problems.push({ release: r.releaseName, workload: w.name, message: `${w.kind} ${w.name} requests must be Kubernetes quantities, got cpu "${w.requests.cpu}", memory "${w.requests.memory}"` });
        continue;
      }
      const gpus = w.requests.gpus ?? 0;
      const eligible = names.filter((n) => mismatch(w, groups[n]!) === undefined);
      if (eligible.length === 0) {
        if (w.kind === "DaemonSet") continue; // a DaemonSet with no matching nodes runs no pods
        const why = names.map((n) => `${n}: ${mismatch(w, groups[n]!)}`).join("; ");
        problems.push({ release: r.releaseName, workload: w.name, message: `${w.kind} ${w.name} matches no node group (${why})` });
        continue;
      }
      const tooBig = eligible.filter((n) => cpu > perNode[n]!.cpu || mem > perNode[n]!.mem || gpus > perNode[n]!.gpus || perNode[n]!.pods < 1);
      if (w.kind === "DaemonSet") {
        for (const n of eligible) {
          const free = perNode[n]!;
          if (tooBig.includes(n)) {
            problems.push({
              release: r.releaseName,
              workload: w.name,
              message: `DaemonSet ${w.name} (${fmtPod({ cpu, mem, gpus })} per node) does not fit the nodes of ${fmtNode(n, groups[n]!, alloc[n]!)} after the other DaemonSets`,
            });
          } else {
            free.cpu -= cpu;
            free.mem -= mem;
            free.gpus -= gpus;
            free.pods -= 1;
          }
        }
        continue;
      }
      if (tooBig.length === eligible.length) {
        problems.push({
          release: r.releaseName,
          workload: w.name,
          message: `${w.kind} ${w.name} pod (${fmtPod({ cpu, mem, gpus })}) does not fit any node it may run on: ${eligible.map((n) => fmtNode(n, groups[n]!, alloc[n]!, perNode[n])).join("; ")}`,
        });
        continue;
      }
      replicated.push({ release: r.releaseName, waited: r.wait ?? true, w, cpu, mem, gpus, groups: eligible.filter((n) => !tooBig.includes(n)) });
    }
  }

  const scenarios = [
    { label: "at first install on each group's desired nodes", install: true },
    { label: "at its replica count plus rollout surge", install: false },
    { label: "at its autoscaling maximum plus rollout surge", install: false },
  ] as const;
  for (const [s, scenario] of scenarios.entries()) {
    const pods: Pod[] = [];
    for (const x of replicated) {
      const base = x.w.replicas ?? 1;
      const count = (s < 2 ? base : Math.max(base, x.w.maxReplicas ?? base)) + (base > 0 && !scenario.install ? (x.w.surge ?? 0) : 0);
      for (let i = 0; i < count; i++) pods.push({ release: x.release, workload: x.w.name, waited: x.waited, cpu: x.cpu, mem: x.mem, gpus: x.gpus, groups: x.groups });
    }
    const size = (n: string) => (scenario.install ? groups[n]!.desired : groups[n]!.max);
    const nodes: Node[] = names.flatMap((n) => Array.from({ length: size(n) }, () => ({ group: n, ...perNode[n]! })));
    // Largest first: GPUs, then CPU, then memory; ties keep the releases' order.
    const order = pods.map((p, i) => [p, i] as const).sort(([a, i], [b, j]) => b.gpus - a.gpus || b.cpu - a.cpu || b.mem - a.mem || i - j);
    const unplaced = new Map<string, { release: string; workload: string; pod: Pod; count: number; total: number }>();
    for (const [p] of order) {
      const key = `${p.release}\u0000${p.workload}`;
      const entry = unplaced.get(key) ?? { release: p.release, workload: p.workload, pod: p, count: 0, total: 0 };
      entry.total++;
      unplaced.set(key, entry);
      const node = nodes.find((nd) => p.groups.includes(nd.group) && nd.cpu >= p.cpu && nd.mem >= p.mem && nd.gpus >= p.gpus && nd.pods >= 1);
      if (!node) {
        entry.count++;
        continue;
      }
      node.cpu -= p.cpu;
      node.mem -= p.mem;
      node.gpus -= p.gpus;
      node.pods -= 1;
    }
    // At first install only the releases the apply waits for fail it; the autoscaler makes room for the others.
    const failed = [...unplaced.values()].filter((e) => e.count > 0 && (!scenario.install || e.pod.waited));
    for (const e of failed) {
      const where = e.pod.groups
        .map((n) => {
          const free = nodes.filter((nd) => nd.group === n);
          const most = free.reduce((a, b) => (b.cpu > a.cpu ? b : a), free[0]!);
          if (!most) return `${n} at ${size(n)} nodes`;
          return `${n} at ${scenario.install ? "desired" : "max"} ${size(n)} × ${groups[n]!.instanceTypes.join("/")} (largest remainder on a node: ${fmtPod({ cpu: Math.max(0, most.cpu), mem: Math.max(0, most.mem), gpus: Math.max(0, most.gpus) })})`;
        })
        .join("; ");
      problems.push({
        release: e.release,
        workload: e.workload,
        message: `${e.count} of ${e.total} pods of ${e.workload} (${fmtPod(e.pod)} each, ${scenario.label}) do not fit on ${where}`,
      });
    }
    if (failed.length > 0) break; // the larger scenario would only repeat the problems
  }
  return problems;
}
