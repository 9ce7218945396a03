import { ENVIRONMENTS, gpuSchedulingOf, platformStackOf } from "./fixtures";

interface VllmValues {
  model: { tensorParallelSize: number; servedName: string };
  nodeSelector: Record<string, string>;
  tolerations: Array<Record<string, string>>;
  probes: { startup: { periodSeconds: number; failureThreshold: number } };
}

const cases = ENVIRONMENTS.flatMap((env) => {
  const stack = platformStackOf(env);
  return env.models.map((model) => ({ env: env.name, model, scheduling: gpuSchedulingOf(env)[model.nodeGroup]!, stack }));
});

test.each(cases)("$env: $model.name lands on its GPU group with as many GPUs as its tensor parallelism", ({ model, scheduling, stack }) => {
  const values = stack.models[model.name]!.release.values as unknown as VllmValues;
  expect(values.model.tensorParallelSize).toBe(model.tensorParallelSize);
  expect(values.nodeSelector).toEqual(scheduling.nodeSelector);
  expect(values.tolerations).toEqual(scheduling.tolerations);
  expect(values.model.tensorParallelSize).toBeLessThanOrEqual(scheduling.gpusPerNode);
  // The startup allowance covers loading: at least 10 minutes, 20 s per billion parameters.
  const allowance = values.probes.startup.periodSeconds * values.probes.startup.failureThreshold;
  expect(allowance).toBeGreaterThanOrEqual(Math.max(600, model.parametersBillions * 20));
});

test("the 70B model on A100 gets a startup allowance over 20 minutes", () => {
  const c = cases.find((x) => x.env === "prod" && x.model.name === "llama-3-70b")!;
  const p = (c.stack.models["llama-3-70b"]!.release.values as unknown as VllmValues).probes.startup;
  expect(p.periodSeconds * p.failureThreshold).toBeGreaterThanOrEqual(1200);
});

test.each(ENVIRONMENTS)("$name: device plugin and DCGM exporter tolerate and select every GPU group", (env) => {
  const stack = platformStackOf(env);
  const groups = Object.values(gpuSchedulingOf(env));
  for (const name of ["nvidia-device-plugin", "dcgm-exporter"]) {
    const values = stack.releases.find((r) => r.releaseName === name)!.values as {
      tolerations: unknown[];
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: unknown[] } } };
    };
    expect(values.tolerations).toEqual(expect.arrayContaining([...groups[0]!.tolerations]));
    expect(values.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toHaveLength(groups.length);
  }
  // No termination handler, spot or not: managed node groups drain spot nodes themselves (decision 0075).
  expect(stack.releases.some((r) => r.releaseName === "aws-node-termination-handler")).toBe(false);
});
