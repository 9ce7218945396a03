import { runRule, synthResource } from "../testing";
import { gpuWorkloadResources as rule } from "./gpu-workload-resources";

const GPU_NODES = "nodeSelector:\n  llm-platform.io/accelerator: a100\ntolerations:\n  - key: nvidia.com/gpu\n    operator: Exists\n";
const release = (values: string, chart = "vllm") => synthResource("helm_release", { chart, version: "1.0.0", values: [values] });

describe(rule.id, () => {
  it("passes a GPU release with GPU requests equal to limits and a memory limit", () => {
    const r = release(`${GPU_NODES}resources:\n  requests: { nvidia.com/gpu: 8 }\n  limits: { nvidia.com/gpu: 8, memory: 900Gi }\n`);
    expect(runRule(rule, r)).toEqual({ status: "compliant", message: "resources: 8 nvidia.com/gpu, memory 900Gi" });
  });

  it("fails a release on GPU nodes that requests no GPU", () => {
    expect(runRule(rule, release(`${GPU_NODES}resources:\n  limits: { memory: 1Gi }\n`))).toEqual({ status: "non-compliant", message: "targets GPU nodes but requests no nvidia.com/gpu" });
  });

  it("fails requests that differ from limits and a missing memory limit", () => {
    const r = release("resources:\n  requests: { nvidia.com/gpu: 4 }\n  limits: { nvidia.com/gpu: 8 }\n");
    expect(runRule(rule, r).message).toBe("resources: requests.nvidia.com/gpu (4) differs from limits (8); resources: no memory limit");
  });

  it("uses the vllm-model chart's defaults and its GPU count from model.tensorParallelSize", () => {
    const defaults = new Map([["./charts/vllm-model", { name: "vllm-model", values: { model: { tensorParallelSize: 1 }, resources: { limits: { memory: "64Gi" } } } }]]);
    const ok = synthResource("helm_release", { chart: "./charts/vllm-model", values: ["model:\n  tensorParallelSize: 8\n"] });
    expect(runRule(rule, ok, [], { localCharts: defaults }).message).toBe("requests and limits 8 nvidia.com/gpu (from model.tensorParallelSize), memory limit 64Gi");
    const zero = synthResource("helm_release", { chart: "./charts/vllm-model", values: ["model:\n  tensorParallelSize: 0\n"] });
    expect(runRule(rule, zero, [], { localCharts: defaults }).status).toBe("non-compliant");
  });

  it("checks kubernetes deployments that tolerate the GPU taint", () => {
    const dep = (limits: Record<string, string>) =>
      synthResource("kubernetes_deployment_v1", { spec: { template: { spec: { toleration: [{ key: "nvidia.com/gpu" }], container: [{ name: "c", resources: { limits } }] } } } } as never);
    expect(runRule(rule, dep({ "nvidia.com/gpu": "1", memory: "8Gi" })).status).toBe("compliant");
    expect(runRule(rule, dep({ memory: "8Gi" })).status).toBe("non-compliant");
  });

  it("does not apply to GPU enablement charts or CPU workloads", () => {
    expect(runRule(rule, release(GPU_NODES, "nvidia-device-plugin")).status).toBe("not-applicable");
    expect(runRule(rule, release("resources:\n  limits: { memory: 1Gi }\n")).status).toBe("not-applicable");
  });
});
