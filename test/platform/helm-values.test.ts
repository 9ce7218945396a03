import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { chartDefaultValues, chartSchema, coalesceValues, valuesPath, withTokenPlaceholders } from "../../constructs/private/helm-values-schema";
import { localChartDir, type LocalChartName } from "../../constructs/private/helm-charts";
import { ENVIRONMENTS, REPO, platformStackOf, walk } from "./fixtures";

const CHARTS: LocalChartName[] = ["vllm-model", "text-embeddings", "llm-gateway", "observability"];
const stacks = ENVIRONMENTS.map((env) => ({ env, stack: platformStackOf(env) }));
const localReleases = stacks.flatMap(({ env, stack }) =>
  stack.releases.filter((r) => r.local).map((r) => ({ env: env.name, release: r.releaseName, chart: r.chartName as LocalChartName, values: r.values })),
);

test.each(CHARTS)("the shipped values.yaml of %s validates against its schema", (chart) => {
  const validate = chartSchema(localChartDir(chart));
  const text = readFileSync(join(localChartDir(chart), "values.yaml"), "utf8");
  expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=values.schema.json");
  expect(validate(parse(text))).toBe(true);
});

test.each(localReleases)("$env: values of $release validate against the $chart schema", ({ chart, values }) => {
  const validate = chartSchema(localChartDir(chart));
  const ok = validate(withTokenPlaceholders(coalesceValues(chartDefaultValues(localChartDir(chart)), values)));
  expect(validate.errors ?? []).toEqual([]);
  expect(ok).toBe(true);
});

test("the schemas are strict: an unknown key anywhere in a release's values is rejected", () => {
  const { chart, values } = localReleases.find((r) => r.chart === "vllm-model")!;
  const validate = chartSchema(localChartDir(chart));
  const bad = coalesceValues(chartDefaultValues(localChartDir(chart)), { ...values, model: { ...(values.model as object), typo: 1 } });
  expect(validate(bad)).toBe(false);
  expect(validate.errors?.[0]).toMatchObject({ keyword: "additionalProperties", instancePath: "/model" });
});

test("every release of every environment is covered", () => {
  for (const { env, stack } of stacks) {
    expect(localReleases.filter((r) => r.env === env.name)).toHaveLength(stack.releases.filter((r) => r.local).length);
    expect(stack.releases.filter((r) => r.local).length).toBeGreaterThanOrEqual(env.models.length + 4);
  }
});

test("no image in any release or chart uses a floating tag", () => {
  const floating: string[] = [];
  const check = (obj: Record<string, unknown>, path: string) => {
    if (typeof obj.repository === "string" && ("tag" in obj || path.endsWith("image") || path.endsWith("Image"))) {
      const tag = obj.tag;
      if (typeof tag !== "string" || tag === "" || tag === "latest") floating.push(`${path}: ${String(tag)}`);
    }
  };
  for (const { stack } of stacks) for (const r of stack.releases) walk(r.values, (o, p) => check(o, `${r.releaseName}.${p}`));
  for (const chart of CHARTS) walk(chartDefaultValues(localChartDir(chart)), (o, p) => check(o, `${chart}.${p}`));
  expect(floating).toEqual([]);
  // Images written in templates are pinned too.
  for (const chart of CHARTS) {
    const templates = readFileSync(join(REPO, "charts", chart, "templates", "tests", chart === "observability" ? "test-rules-loaded.yaml" : "test-connection.yaml"), "utf8");
    for (const m of templates.matchAll(/image:\s*"?([^\s"]+)"?/g)) if (!m[1]!.includes("{{")) expect(m[1]).toMatch(/:[\w][\w.-]*$/);
  }
});

test("the detector of floating tags catches latest and missing tags", () => {
  const found: string[] = [];
  walk({ a: { image: { repository: "x", tag: "latest" } }, b: { image: { repository: "y" } } }, (o, p) => {
    if (typeof o.repository === "string" && (typeof o.tag !== "string" || o.tag === "latest")) found.push(p);
  });
  expect(found).toEqual(["values.a.image", "values.b.image"]);
});

test("coalescing follows Helm: maps merge, lists replace, null removes", () => {
  expect(coalesceValues({ a: { b: 1, c: 2 }, l: [1, 2], d: 1 }, { a: { c: 3 }, l: [9], d: null })).toEqual({ a: { b: 1, c: 3 }, l: [9] });
});

test("field paths read like the values", () => {
  expect(valuesPath("/resources/limits/nvidia.com~1gpu")).toBe('values.resources.limits["nvidia.com/gpu"]');
  expect(valuesPath("/tolerations/0", "effect")).toBe("values.tolerations[0].effect");
});
