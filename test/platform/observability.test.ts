import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import vllmFacts from "../../constructs/data/vllm-upstream.json";
import { VLLM_IMAGE } from "../../constructs/vllm-model";
import { REPO } from "./fixtures";

const FILES = join(REPO, "charts", "observability", "files");
const ruleFiles = readdirSync(join(FILES, "rules")).filter((f) => f.endsWith(".rules.yaml")).map((f) => join(FILES, "rules", f));
const dashboards = readdirSync(join(FILES, "dashboards")).filter((f) => f.endsWith(".json")).map((f) => join(FILES, "dashboards", f));

interface RuleFile { groups: Array<{ name: string; rules: Array<{ record?: string; alert?: string; expr: string }> }> }
const rules = ruleFiles.flatMap((f) => (parse(readFileSync(f, "utf8")) as RuleFile).groups.flatMap((g) => g.rules));
const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));

/** Metric names documented in docs/metrics.md (backticked names), plus kube-state-metrics families by prefix. */
const doc = readFileSync(join(REPO, "docs", "metrics.md"), "utf8");
const documented = new Set([...doc.matchAll(/`([A-Za-z_:][A-Za-z0-9_:]*)`/g)].map((m) => m[1]!));
const documentedPrefixes = [...doc.matchAll(/`([a-z_]+)\*`/g)].map((m) => m[1]!);

const PROMQL_WORDS = new Set([
  "by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset", "le", "inf", "nan",
]);

/**
 * Metric names a PromQL expression reads. Hand-rolled (no maintained PromQL parser for Node): strips strings,
 * label matchers, grouping clauses, ranges and function calls, and keeps the remaining identifiers.
 */
function metricNames(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/(?<![\w:])\d+(\.\d+)?(e[+-]?\d+)?/gi, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\$\w+/g, "");
  return [...stripped.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)]
    .filter((m) => !m[2] && !PROMQL_WORDS.has(m[1]!.toLowerCase()) && !/^\d/.test(m[1]!))
    .map((m) => m[1]!);
}

function isKnown(name: string): boolean {
  const base = name.replace(/_(bucket|sum|count)$/, "");
  return recorded.has(name) || documented.has(name) || documented.has(base) || documentedPrefixes.some((p) => name.startsWith(p));
}

test.each(ruleFiles)("promtool check rules %s", (file) => {
  const out = execFileSync("/usr/bin/promtool", ["check", "rules", file], { encoding: "utf8" });
  expect(out).toContain("SUCCESS");
});

test("promtool rule unit tests pass (alerts fire at the documented thresholds)", () => {
  const out = execFileSync("/usr/bin/promtool", ["test", "rules", "rules-tests/alerts.test.yaml"], { cwd: FILES, encoding: "utf8" });
  expect(out).toContain("SUCCESS");
});

test("promtool rejects a broken rule (the check can fail)", () => {
  expect(() => execFileSync("/usr/bin/promtool", ["check", "rules", "/dev/stdin"], { input: "groups:\n  - name: x\n    rules:\n      - record: a\n        expr: sum(\n", stdio: "pipe" })).toThrow();
});

test("the documented alerts exist with their thresholds", () => {
  const alerts = Object.fromEntries(rules.filter((r) => r.alert).map((r) => [r.alert!, r.expr]));
  expect(alerts.LLMGatewayHighErrorRate).toMatch(/> 0\.01$/);
  expect(alerts.LLMGatewayHighLatencyP95).toMatch(/> 0\.65$/);
  expect(alerts.GPUMemoryNearlyFull).toMatch(/> 0\.98$/);
  expect(alerts.VLLMKVCacheNearlyFull).toMatch(/> 0\.95$/);
  expect(Object.keys(alerts)).toEqual(expect.arrayContaining(["SpotInterruption", "VLLMQueueGrowing", "LLMGatewayModelUnavailable", "LLMGatewayRateLimitStoreUnreachable"]));
});

test("every alert's runbook is a file of the repository with a heading for its anchor, and names the alert", () => {
  interface Alert { alert?: string; annotations?: { runbook?: string } }
  const alerts = (rules as Alert[]).filter((r) => r.alert);
  for (const a of alerts) {
    const [file, anchor] = (a.annotations?.runbook ?? "").split("#");
    expect(file).toBeTruthy();
    const text = readFileSync(join(REPO, file!), "utf8");
    const headings = [...text.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^\w\- ]/g, "").replace(/ /g, "-"));
    expect(headings).toContain(anchor);
    expect(text).toContain(`| ${a.alert} |`);
  }
});

test("the documented PromQL is recorded: latency, throughput, errors, GPU, RAG, vector search, cost", () => {
  for (const source of ["llm_gateway_request_duration_seconds", "llm_gateway_requests_total", "llm_gateway_tokens_total", "DCGM_FI_DEV_GPU_UTIL", "DCGM_FI_DEV_FB_USED", "DCGM_FI_DEV_GPU_TEMP", "rag_query_duration_seconds", "rag_vector_search_duration_seconds", "llm_gateway_cost_usd_total"]) {
    expect(rules.some((r) => r.record && r.expr.includes(source))).toBe(true);
  }
});

test("rules read only documented metrics", () => {
  const unknown = rules.flatMap((r) => metricNames(r.expr)).filter((n) => !isKnown(n));
  expect(unknown).toEqual([]);
});

test.each(dashboards)("dashboard %s parses and reads only documented metrics or recording rules", (file) => {
  const dash = JSON.parse(readFileSync(file, "utf8")) as { uid: string; panels: Array<{ targets: Array<{ expr: string }> }> };
  expect(dash.uid).toMatch(/^[\w-]{1,40}$/);
  const names = dash.panels.flatMap((p) => p.targets.flatMap((t) => metricNames(t.expr)));
  expect(names.length).toBeGreaterThan(0);
  expect(names.filter((n) => !isKnown(n))).toEqual([]);
});

test("the metric extractor finds names and rejects undocumented ones", () => {
  expect(metricNames('sum by (model) (rate(llm_gateway_requests_total{status=~"5.."}[5m])) / on(model) foo_total')).toEqual(["llm_gateway_requests_total", "foo_total"]);
  expect(metricNames("x_total / clamp_min(y_total, 1e-9) > 0.01")).toEqual(["x_total", "y_total"]);
  expect(isKnown("foo_total")).toBe(false);
  expect(isKnown("llm_gateway_request_duration_seconds_bucket")).toBe(true);
});

describe("vLLM's deprecated names (constructs/data/vllm-upstream.json)", () => {
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]));
  const sources = [...files(join(REPO, "charts")), ...files(join(REPO, "constructs")).filter((f) => !f.endsWith("vllm-upstream.json"))];
  const using = (name: string) => sources.filter((f) => readFileSync(f, "utf8").includes(name)).map((f) => f.slice(REPO.length + 1));

  test("the facts were checked for the image tag the chart pins", () => {
    expect((parse(readFileSync(join(REPO, "charts", "vllm-model", "values.yaml"), "utf8")) as { image: { tag: string } }).image.tag).toBe(vllmFacts.imageTag);
    // The construct sets image.tag on every release: that is the tag that runs.
    expect(VLLM_IMAGE.tag).toBe(vllmFacts.imageTag);
  });
  test.each(vllmFacts.deprecatedMetrics.map((m) => [m.name, m.replacement] as const))("no dashboard, rule or trigger reads %s (use %s)", (name, replacement) => {
    // Alert rule unit tests may feed the old name to show it is no longer read.
    expect(using(name).filter((f) => !f.includes("rules-tests"))).toEqual([]);
    expect(using(replacement).length).toBeGreaterThan(0);
  });
  test.each(vllmFacts.deprecatedFlags.map((f) => [f.flag] as const))("the model chart does not pass %s", (flag) => {
    expect(readFileSync(join(REPO, "charts", "vllm-model", "templates", "deployment.yaml"), "utf8")).not.toContain(`- ${flag}`);
  });
  const template = readFileSync(join(REPO, "charts", "vllm-model", "templates", "deployment.yaml"), "utf8");
  test("the switches and loader settings the model chart passes are recorded facts of the pinned tag", () => {
    for (const f of vllmFacts.flags) {
      const passed = "value" in f ? `- ${f.flag}=${f.value}` : `- ${f.flag}`;
      expect(template).toContain(passed);
    }
    const loader = vllmFacts.flags.find((f) => f.flag === "--load-format")!;
    const keys = [...template.matchAll(/--model-loader-extra-config=%s" \(dict ((?:"\w+" \([^)]*\) ?)+)/g)].flatMap((m) => [...m[1]!.matchAll(/"(\w+)" \(/g)].map((k) => k[1]!));
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(loader.modelLoaderExtraConfigKeys).toContain(k);
    for (const m of vllmFacts.metrics) expect(using(m.name).length).toBeGreaterThan(0);
  });
  test("a fact marked read at the tag names the pinned tag as its source; every fact says whether it was", () => {
    const all = [...vllmFacts.deprecatedFlags, ...vllmFacts.flags, ...vllmFacts.metrics, ...vllmFacts.deprecatedMetrics, vllmFacts.image.runaiModelStreamerS3];
    for (const f of all) {
      expect(typeof f.readAtTag).toBe("boolean");
      if (f.readAtTag) expect(f.source.startsWith(`vllm-project/vllm@${vllmFacts.imageTag}:`)).toBe(true);
      else expect(f.source).not.toContain(`@${vllmFacts.imageTag}:`);
    }
  });
  test("the scan finds a use (it can fail)", () => {
    expect(using("vllm:num_requests_waiting").length).toBeGreaterThan(0);
  });
});
