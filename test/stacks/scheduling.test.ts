/**
 * The scheduling check (constructs/private/scheduling-check.ts): every workload of every environment is placed
 * onto the environment's node groups, and synthesis stops with the environment, the release and what does not fit.
 */
import { join } from "node:path";
import fc from "fast-check";
import { Testing } from "cdktf";
import { nodeAllocatable } from "../../constructs/private/node-allocatable";
import { synthesize, StackConfigError } from "../../main";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { checkScheduling, wellKnownNodeLabels, type NodeGroupCapacity, type ReleaseWorkloads } from "../../constructs/private/scheduling-check";
import type { Workload } from "../../constructs/private/workloads";
import { SHIPPED, clone, shippedFiles, tempDir, writeEnvironments } from "../support/cluster-fixtures";

const GPU_TAINT = { key: "nvidia.com/gpu", operator: "Equal", value: "true", effect: "NoSchedule" } as const;
const system: NodeGroupCapacity = { instanceTypes: ["m7i.large"], min: 1, desired: 1, max: 2, labels: { "llm-platform.io/role": "system", ...wellKnownNodeLabels("ON_DEMAND") }, taints: [] };
const gpu: NodeGroupCapacity = {
  instanceTypes: ["g6e.12xlarge", "g6e.24xlarge"],
  min: 0,
  desired: 0,
  max: 1,
  labels: { "llm-platform.io/node-group": "l40s", ...wellKnownNodeLabels("SPOT") },
  taints: [GPU_TAINT],
};
// Releases the apply does not wait for: the first-install scenario does not hold them (its own test below).
const release = (releaseName: string, ...workloads: Workload[]): ReleaseWorkloads => ({ releaseName, chartName: "demo", workloads, wait: false });
const deployment = (name: string, cpu: string, memory: string, extra: Partial<Workload> = {}): Workload => ({ name, kind: "Deployment", replicas: 1, requests: { cpu, memory }, ...extra });

describe("checkScheduling", () => {
  test("pods that fit leave no problem", () => {
    expect(checkScheduling({ system }, [release("a", deployment("a", "1", "2Gi", { replicas: 2 }))])).toEqual([]);
  });

  test("a pod larger than any node it may run on is named with the node's allocatable", () => {
    expect(checkScheduling({ system, l40s: gpu }, [release("tei-embedder", deployment("tei-embedder", "4", "6Gi"))])).toEqual([
      {
        release: "tei-embedder",
        workload: "tei-embedder",
        message: "Deployment tei-embedder pod (4 CPU, 6.0 GiB) does not fit any node it may run on: system (m7i.large: 1.93 CPU, 6.7 GiB, 29 pods allocatable per node)",
      },
    ]);
  });

  test("pods beyond the groups' max nodes are counted", () => {
    const [p] = checkScheduling({ system }, [release("a", deployment("a", "1500m", "1Gi", { replicas: 3 }))]);
    expect(p?.message).toBe("1 of 3 pods of a (1.5 CPU, 1.0 GiB each, at its replica count plus rollout surge) do not fit on system at max 2 × m7i.large (largest remainder on a node: 0.43 CPU, 5.7 GiB)");
  });

  test("the autoscaling maximum and the rollout surge count", () => {
    const w = deployment("a", "900m", "1Gi", { replicas: 2 });
    expect(checkScheduling({ system }, [release("a", w)])).toEqual([]);
    expect(checkScheduling({ system }, [release("a", { ...w, maxReplicas: 5 })])[0]?.message).toMatch(/^1 of 5 pods of a .* at its autoscaling maximum plus rollout surge/);
    expect(checkScheduling({ system }, [release("a", { ...w, surge: 3 })])[0]?.message).toMatch(/^1 of 5 pods of a .* at its replica count plus rollout surge/);
  });

  test("at first install, releases the apply waits for must fit the groups' desired nodes", () => {
    const w = deployment("qdrant", "1500m", "1Gi", { replicas: 2, kind: "StatefulSet" });
    expect(checkScheduling({ system }, [release("qdrant", w)])).toEqual([]);
    expect(checkScheduling({ system }, [{ ...release("qdrant", w), wait: true }])).toEqual([
      {
        release: "qdrant",
        workload: "qdrant",
        message: "1 of 2 pods of qdrant (1.5 CPU, 1.0 GiB each, at first install on each group's desired nodes) do not fit on system at desired 1 × m7i.large (largest remainder on a node: 0.43 CPU, 5.7 GiB)",
      },
    ]);
  });

  test("DaemonSets take their share of every node they run on first", () => {
    const ds: Workload = { name: "agent", kind: "DaemonSet", requests: { cpu: "500m", memory: "64Mi" }, tolerations: [{ operator: "Exists" }] };
    const w = deployment("a", "1500m", "1Gi", { replicas: 2 });
    expect(checkScheduling({ system }, [release("a", w)])).toEqual([]);
    expect(checkScheduling({ system }, [release("agents", ds), release("a", w)])[0]?.message).toBe(
      "Deployment a pod (1.5 CPU, 1.0 GiB) does not fit any node it may run on: system (m7i.large: 1.93 CPU, 6.7 GiB, 29 pods allocatable per node; 1.43 CPU, 6.7 GiB left after DaemonSets)",
    );
    expect(checkScheduling({ system }, [release("agents", ds), release("a", { ...w, requests: { cpu: "1400m", memory: "1Gi" }, replicas: 3 })])[0]?.message).toMatch(/^1 of 3 pods of a/);
    expect(checkScheduling({ system }, [release("agents", { ...ds, requests: { cpu: "2", memory: "0" } })])[0]?.message).toBe(
      "DaemonSet agent (2 CPU, 0.0 GiB per node) does not fit the nodes of system (m7i.large: 1.93 CPU, 6.7 GiB, 29 pods allocatable per node) after the other DaemonSets",
    );
  });

  test("taints keep pods off a group unless tolerated; nodeSelectors and affinity keep them on theirs", () => {
    const gpuPod = deployment("vllm", "16", "96Gi", { requests: { cpu: "16", memory: "96Gi", gpus: 4 }, nodeSelector: { "llm-platform.io/node-group": "l40s" } });
    expect(checkScheduling({ system, l40s: gpu }, [release("vllm", gpuPod)])[0]?.message).toBe(
      "Deployment vllm matches no node group (l40s: taint nvidia.com/gpu=true:NoSchedule; system: nodeSelector llm-platform.io/node-group=l40s)",
    );
    expect(checkScheduling({ system, l40s: gpu }, [release("vllm", { ...gpuPod, tolerations: [GPU_TAINT] })])).toEqual([]);
    expect(checkScheduling({ system, l40s: gpu }, [release("vllm", { ...gpuPod, tolerations: [GPU_TAINT], replicas: 2 })])[0]?.message).toMatch(/^1 of 2 pods of vllm \(16 CPU, 96.0 GiB, 4 GPU each/);
    const affine = deployment("x", "1", "1Gi", { nodeAffinity: [{ "llm-platform.io/node-group": ["a100"] }] });
    expect(checkScheduling({ system }, [release("x", affine)])[0]?.message).toBe("Deployment x matches no node group (system: node affinity)");
  });

  test("a release that declares no workloads is refused, and so are requests that are not quantities", () => {
    expect(checkScheduling({ system }, [{ releaseName: "metrics-server", chartName: "metrics-server" }])).toEqual([
      {
        release: "metrics-server",
        message: "release metrics-server (chart metrics-server) declares no workloads: give its HelmRelease the pods it runs (workloads, with their requests; [] for a chart that runs none)",
      },
    ]);
    expect(checkScheduling({ system }, [release("a", deployment("a", "lots", "1Gi"))])[0]?.message).toBe('Deployment a requests must be Kubernetes quantities, got cpu "lots", memory "1Gi"');
  });
});

describe("checkScheduling, properties", () => {
  const pods = fc.array(
    fc.record({ cpu: fc.integer({ min: 50, max: 1900 }), mem: fc.integer({ min: 64, max: 6000 }), replicas: fc.integer({ min: 1, max: 4 }) }),
    { minLength: 1, maxLength: 8 },
  );
  const releases = (ps: Array<{ cpu: number; mem: number; replicas: number }>) =>
    ps.map((p, i) => release(`r${i}`, deployment(`r${i}`, `${p.cpu}m`, `${p.mem}Mi`, { replicas: p.replicas })));
  const sized = (max: number): NodeGroupCapacity => ({ ...system, desired: 1, max });

  test("what fits on n nodes fits on n + 1", () => {
    fc.assert(
      fc.property(pods, fc.integer({ min: 1, max: 5 }), (ps, n) => {
        if (checkScheduling({ system: sized(n) }, releases(ps)).length === 0) expect(checkScheduling({ system: sized(n + 1) }, releases(ps))).toEqual([]);
      }),
    );
  });

  test("more requested than the nodes hold in total never passes", () => {
    const a = nodeAllocatable("m7i.large");
    fc.assert(
      fc.property(pods, fc.integer({ min: 1, max: 5 }), (ps, n) => {
        const cpu = ps.reduce((t, p) => t + p.cpu * p.replicas, 0);
        const mem = ps.reduce((t, p) => t + p.mem * p.replicas, 0);
        if (cpu > n * a.cpuMillis || mem > n * a.memoryMiB) expect(checkScheduling({ system: sized(n) }, releases(ps)).length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("the environments", () => {
  test.each(SHIPPED.map((e) => [e.name, e] as const))("%s: every workload fits its node groups", (_name, env) => {
    expect(() => addEnvironmentStacks(Testing.app(), env)).not.toThrow();
  });

  test("a deliberately broken environment (TEI at 4 CPUs on dev's system nodes) stops synthesis, naming environment, release and what does not fit", () => {
    const files = clone(shippedFiles()) as Record<string, { platform: Record<string, unknown> }>;
    files["dev.yaml"]!.platform.textEmbeddings = { requests: { cpu: "4", memory: "6Gi" } };
    const root = tempDir();
    writeEnvironments(root, files);
    let error: unknown;
    try {
      synthesize({ environmentsDir: join(root, "environments"), environments: ["dev"], cwd: root, outdir: join(root, "cdktf.out") });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(StackConfigError);
    expect((error as Error).message).toBe(
      'Invalid environment dev (nothing was synthesized): environment "dev", release "tei-embedder", scheduling: Deployment tei-embedder pod (4 CPU, 6.0 GiB) does not fit any node it may run on: system (m7i.xlarge: 3.92 CPU, 13.8 GiB, 58 pods allocatable per node; 3.71 CPU, 13.7 GiB left after DaemonSets); ' +
        'release "tei-reranker": Deployment tei-reranker pod (4 CPU, 6.0 GiB) does not fit any node it may run on: system (m7i.xlarge: 3.92 CPU, 13.8 GiB, 58 pods allocatable per node; 3.71 CPU, 13.7 GiB left after DaemonSets)',
    );
  });

  test("dev's old system nodes (m7i.large, desired 2, max 3) cannot hold the platform, not even at first install", () => {
    const dev = structuredClone(SHIPPED.find((e) => e.name === "dev")!);
    const system = dev.nodeGroups.system!;
    system.instanceTypes = ["m7i.large"];
    expect(() => addEnvironmentStacks(Testing.app(), dev)).toThrow(/^environment "dev", release "[a-z-]+", scheduling: \d+ of \d+ pods of .* do not fit on system at desired 2 × m7i.large/);
  });
});
