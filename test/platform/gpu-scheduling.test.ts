import { assertValuesMatchSchema } from "../../constructs/private/helm-values-schema";
import { localChartDir } from "../../constructs/private/helm-charts";
import { VLLM_WEIGHTS } from "../../constructs/vllm-model";
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
  // The startup allowance covers loading three times over: streaming the bf16 weights from S3 at the assumed rate
  // plus warm-up (decision 0083); at least 10 minutes.
  const allowance = values.probes.startup.periodSeconds * values.probes.startup.failureThreshold;
  const onPaper = (model.parametersBillions * 2) / VLLM_WEIGHTS.streamGBPerSecond + 120 + 2 * model.parametersBillions;
  expect(allowance).toBeGreaterThanOrEqual(Math.max(600, 3 * onPaper));
});

test("the 70B model on A100 gets a startup allowance of about 18 minutes (6 on paper: 98 s of streaming, 260 s of warm-up)", () => {
  const c = cases.find((x) => x.env === "prod" && x.model.name === "llama-3-70b")!;
  const p = (c.stack.models["llama-3-70b"]!.release.values as unknown as VllmValues).probes.startup;
  expect(p.periodSeconds * p.failureThreshold).toBe(1080);
});

test.each(cases)("$env: $model.name streams its weights from the model bucket", ({ stack, model }) => {
  const weights = (stack.models[model.name]!.release.values as unknown as { weights: Record<string, unknown> }).weights;
  expect(weights).toMatchObject({ loader: "runai-streamer", streamer: { concurrency: 32, memoryLimitBytes: 8 * 2 ** 30 } });
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

test("a vLLM rollout that could never start (maxSurge 0 and maxUnavailable 0) is refused by the chart's schema", () => {
  const release = platformStackOf(ENVIRONMENTS[0]!).releases.find((r) => r.chartName === "vllm-model")!;
  const target = { environment: "qa", release: release.releaseName, chart: "vllm-model", chartDir: localChartDir("vllm-model") };
  expect(() => assertValuesMatchSchema({ ...release.values, rollout: { maxSurge: 0, maxUnavailable: 1 } }, target)).not.toThrow();
  expect(() => assertValuesMatchSchema({ ...release.values, rollout: { maxSurge: 0, maxUnavailable: 0 } }, target)).toThrow(/rollout\.maxUnavailable/);
  expect(() => assertValuesMatchSchema({ ...release.values, rollout: { maxSurge: 1, maxUnavailable: 0 } }, target)).not.toThrow();
});
