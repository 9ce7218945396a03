/**
 * The log level the platform ships (decision 0085): errors always and a 1 % sample of access-log lines at info,
 * set explicitly both in the llm-gateway chart's default config and in the config the platform stack renders
 * for every environment (so a deployment never falls back to logging every request).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { chartDefaultValues, coalesceValues } from "../../constructs/private/helm-values-schema";
import { localChartDir } from "../../constructs/private/helm-charts";
import { gatewayConfigSchema } from "../../services/gateway/src/config/schema";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

const SHIPPED = { logLevel: "info", accessLogSampleRate: 0.01 };

test("the chart's default config sets the shipped log level and access-log sample", () => {
  const values = parse(readFileSync(join(localChartDir("llm-gateway"), "values.yaml"), "utf8")) as { config: { telemetry?: unknown } };
  expect(values.config.telemetry).toEqual(SHIPPED);
  expect(gatewayConfigSchema.shape.telemetry.parse(values.config.telemetry)).toMatchObject(SHIPPED);
});

test.each(ENVIRONMENTS.map((env) => [env.name, env] as const))("%s: the gateway release's config ships the same logging", (_name, env) => {
  const gateways = platformStackOf(env).releases.filter((r) => r.chartName === "llm-gateway");
  expect(gateways.length).toBeGreaterThan(0);
  for (const r of gateways) {
    const values = coalesceValues(chartDefaultValues(localChartDir("llm-gateway")), r.values) as { config: { telemetry?: unknown } };
    expect(values.config.telemetry).toEqual(SHIPPED);
    expect((r.values as { config: { telemetry?: unknown } }).config.telemetry).toEqual(SHIPPED);
  }
});
