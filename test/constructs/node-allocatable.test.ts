/**
 * Node allocatable on the EKS AL2023 AMIs, from the instance shapes of constructs/data/instance-shapes.json and
 * nodeadm's formulas. The formulas are checked against a second published source: Karpenter's instance-type
 * reference, which lists allocatable CPU, memory and pods for every type.
 */
import fc from "fast-check";
import shapes from "../../constructs/data/instance-shapes.json";
import { ACCELERATOR_PROFILES, GPU_INSTANCE_TYPES } from "../../constructs/accelerators";
import {
  guaranteedAllocatable,
  instanceShape,
  kubeReservedCpuMillis,
  kubeReservedMemoryMiB,
  maxPods,
  nodeAllocatable,
} from "../../constructs/private/node-allocatable";
import { cpuMillis, memoryMiB } from "../../constructs/private/workloads";
import { SHIPPED } from "../support/cluster-fixtures";

const types = Object.entries(shapes.types);

describe("node allocatable", () => {
  test("every fact of the data file names a repository@tag:path", () => {
    for (const source of Object.values(shapes.sources)) expect(source).toMatch(/^[\w.-]+\/[\w.-]+@[\w.-]+:\S+/);
  });

  test.each(types)("%s: the EKS formula gives Karpenter's published allocatable", (name, shape) => {
    const a = nodeAllocatable(name);
    expect(a.pods).toBe(shape.karpenterAllocatable.pods);
    expect(a.cpuMillis).toBe(cpuMillis(shape.karpenterAllocatable.cpu));
    expect(a.memoryMiB).toBe(memoryMiB(shape.karpenterAllocatable.memory));
    expect(a.gpus).toBe(shape.gpus);
  });

  test("dev's old system nodes (m7i.large) have the 1.93 CPUs the issue quotes, m7i.xlarge 3.92", () => {
    expect(nodeAllocatable("m7i.large")).toEqual({ cpuMillis: 1930, memoryMiB: 6903, gpus: 0, pods: 29 });
    expect(nodeAllocatable("m7i.xlarge").cpuMillis).toBe(3920);
  });

  test("the GPU table of accelerators.ts agrees with the shapes (GPUs, vCPUs, GPU memory)", () => {
    for (const [name, t] of Object.entries(GPU_INSTANCE_TYPES)) {
      const s = instanceShape(name);
      expect([name, s.gpus, s.vcpus]).toEqual([name, t.gpus, t.vcpus]);
      // accelerators.ts has the GPU's marketed memory: A100 40 GiB (40960 MiB), L40S 48 GB (45776 MiB, 44.7 GiB).
      const marketed = [t.gpuMemoryGiB * 1024, (t.gpuMemoryGiB * 1e9) / 2 ** 20].map(Math.round);
      expect(marketed).toContain(s.gpuMemoryMiB);
    }
  });

  test("every instance type a shipped environment or an accelerator default uses is in the table", () => {
    const used = new Set<string>(Object.values(ACCELERATOR_PROFILES).flatMap((p) => p.defaultInstanceTypes));
    for (const env of SHIPPED) for (const g of Object.values(env.nodeGroups)) for (const t of g.instanceTypes ?? []) used.add(t);
    for (const t of used) expect(() => instanceShape(t)).not.toThrow();
  });

  test("an unknown instance type is refused naming the data file", () => {
    expect(() => nodeAllocatable("x9.huge")).toThrow("instance type x9.huge is not in constructs/data/instance-shapes.json; add its shape with the sources the file names");
  });

  test("kube-reserved CPU grows with the cores but never reaches 7 % of them beyond one core", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 448 }), (vcpus) => {
        const r = kubeReservedCpuMillis(vcpus);
        expect(r).toBeGreaterThanOrEqual(kubeReservedCpuMillis(Math.max(1, vcpus - 1)));
        expect(r).toBeLessThanOrEqual(60 + 10 + 10 + (vcpus > 4 ? (vcpus - 4) * 2.5 : 0));
      }),
    );
    expect(kubeReservedCpuMillis(1)).toBe(60);
    expect(kubeReservedCpuMillis(96)).toBe(310);
  });

  test("max pods and reserved memory follow the ENIs", () => {
    expect(maxPods(instanceShape("p4d.24xlarge"))).toBe(737);
    expect(kubeReservedMemoryMiB(737)).toBe(8362);
  });

  test("a group is guaranteed the minimum over its instance types", () => {
    const g = guaranteedAllocatable(["g6e.12xlarge", "g6e.24xlarge"]);
    expect(g).toEqual({ ...nodeAllocatable("g6e.12xlarge"), pods: Math.min(nodeAllocatable("g6e.12xlarge").pods, nodeAllocatable("g6e.24xlarge").pods) });
    expect(() => guaranteedAllocatable([])).toThrow("instanceTypes must list at least one instance type");
  });
});
