/**
 * Our charts, rendered (helm is not installed here): test/support/chart-render.ts renders them with Go's
 * text/template, sprig and Helm's functions (tools/chart-render), after validating the values against the chart's
 * schema as helm does. Checked here: the renderer itself on a small chart; every test of the charts' helm-unittest
 * suites (test/support/helm-unittest.ts); and every local release of every environment, rendered with the values the
 * platform stack gives it, for well-formed manifests whose parts refer to each other correctly. The charts workflow
 * runs the real helm lint, helm unittest and helm template | kubeconform.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { localChartDir, type LocalChartName } from "../../constructs/private/helm-charts";
import { RenderError, renderChart, validateManifests, type RenderedDocument } from "../support/chart-render";
import { typeCheckManifests } from "../support/manifest-types";
import { loadSuite, pathSegments, runUnitTest, valuesFromSet, type Suite, type UnitTest } from "../support/helm-unittest";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

const CHARTS: LocalChartName[] = ["vllm-model", "text-embeddings", "llm-gateway", "observability"];

describe("the renderer", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "chart-"));
    mkdirSync(join(dir, "templates"));
    mkdirSync(join(dir, "files"));
    writeFileSync(join(dir, "Chart.yaml"), "apiVersion: v2\nname: demo\nversion: 1.2.3\nappVersion: \"9.9\"\n");
    writeFileSync(join(dir, "values.schema.json"), JSON.stringify({ type: "object", properties: { replicas: { type: "integer", minimum: 1 } } }));
    writeFileSync(join(dir, "values.yaml"), "replicas: 2\nlabels: { team: a, tier: web }\nname: \"\"\n");
    writeFileSync(join(dir, "files", "a.txt"), "alpha");
    writeFileSync(join(dir, "files", "b.txt"), "beta");
    writeFileSync(join(dir, "templates", "_helpers.tpl"), '{{- define "demo.name" -}}{{ .Release.Name }}-{{ .Chart.Name }}{{- end }}\n');
    writeFileSync(
      join(dir, "templates", "cm.yaml"),
      [
        "apiVersion: v1",
        "kind: ConfigMap",
        "metadata:",
        '  name: {{ include "demo.name" . }}',
        "  namespace: {{ .Release.Namespace }}",
        "  labels:",
        "    {{- toYaml .Values.labels | nindent 4 }}",
        "data:",
        "  replicas: {{ .Values.replicas | quote }}",
        "  chart: {{ printf \"%s-%s-%s\" .Chart.Name .Chart.Version .Chart.AppVersion | quote }}",
        "  missing: \"{{ .Values.nothing }}\"",
        "  roundTrip: {{ .Files.Get \"files/a.txt\" | printf \"k: %s\" | fromYaml | toJson | quote }}",
        "  files: {{ range $path, $_ := .Files.Glob \"files/*.txt\" }}{{ $path }},{{ end }}",
      ].join("\n"),
    );
    writeFileSync(join(dir, "templates", "needs.yaml"), "{{- if .Values.strict }}\nname: {{ required \"name is required\" .Values.name }}\n{{- end }}\n");
    writeFileSync(join(dir, "templates", "NOTES.txt"), "{{- if .Values.notesFail }}{{ fail \"notes failed\" }}{{ end }}Installed {{ .Release.Name }}.\n");
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test("renders like helm: include, toYaml, quote, Chart/Release fields, Files, fromYaml/toJson, a missing key as empty", () => {
    const [cm] = renderChart(dir, { labels: { tier: null, zone: "b" } }, "rel", "ns");
    expect(cm).toEqual({
      source: "demo/templates/cm.yaml",
      doc: {
        apiVersion: "v1",
        kind: "ConfigMap",
        // values merge as helm's: maps key by key, null deletes a default
        metadata: { name: "rel-demo", namespace: "ns", labels: { team: "a", zone: "b" } },
        data: { replicas: "2", chart: "demo-1.2.3-9.9", missing: "", roundTrip: '{"k":"alpha"}', files: "files/a.txt,files/b.txt," },
      },
    });
  });

  test("an empty template renders no document; required fails the render with its message", () => {
    expect(renderChart(dir, {}).map((d) => d.source)).toEqual(["demo/templates/cm.yaml"]);
    expect(() => renderChart(dir, { strict: true })).toThrow(/name is required/);
    expect(renderChart(dir, { strict: true, name: "x" }).map((d) => d.doc)).toContainEqual({ name: "x" });
  });

  test("NOTES.txt is rendered (its errors fail the render, as in helm) but is not a manifest", () => {
    expect(renderChart(dir, {}).map((d) => d.source)).not.toContain("demo/templates/NOTES.txt");
    expect(() => renderChart(dir, { notesFail: true })).toThrow(/notes failed/);
  });

  test("values are validated against the chart's schema first, as helm does", () => {
    expect(() => renderChart(dir, { replicas: 0 })).toThrow(RenderError);
    expect(() => renderChart(dir, { replicas: 0 })).toThrow(/schema: values\.replicas/);
  });
});

test("the Kubernetes types refuse an unknown field at depth, a wrong type and an unknown kind (the check can fail)", () => {
  const deployment = (container: Record<string, unknown>, replicas: unknown = 1): Record<string, unknown> => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "d" },
    spec: { replicas, selector: { matchLabels: { a: "b" } }, template: { metadata: { labels: { a: "b" } }, spec: { containers: [container] } } },
  });
  const problems = typeCheckManifests([
    { label: "typo", doc: deployment({ name: "c", image: "x", readinesProbe: { httpGet: { path: "/", port: 80 } } }) },
    { label: "type", doc: deployment({ name: "c", image: "x" }, "2") },
    { label: "kind", doc: { apiVersion: "v1", kind: "Widget" } },
    { label: "ok", doc: deployment({ name: "c", image: "x", readinessProbe: { httpGet: { path: "/", port: "http" } } }) },
    { label: "crd", doc: { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "m" }, spec: { selector: {}, endpoints: [{ port: "http", intervall: "30s" }] } } },
  ]);
  expect(problems.find((p) => p.startsWith("typo:"))).toMatch(/readinesProbe/);
  expect(problems.find((p) => p.startsWith("type:"))).toMatch(/'string' is not assignable to type 'number'/);
  expect(problems.find((p) => p.startsWith("kind:"))).toMatch(/IWidget/);
  expect(problems.find((p) => p.startsWith("crd:"))).toMatch(/intervall/);
  expect(problems.filter((p) => p.startsWith("ok:"))).toEqual([]);
});

test("the Kubernetes schemas refuse a wrong type, a missing required field and an unknown kind (the check can fail)", () => {
  const pod = (container: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: "v1", kind: "Pod", metadata: { name: "p" }, spec: { containers: [container] } });
  const problems = validateManifests([
    pod({ name: "a", image: "x", ports: [{ containerPort: "8080" }] }),
    pod({ image: "x" }),
    { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" } },
    { apiVersion: "monitoring.coreos.com/v1", kind: "ServiceMonitor", metadata: { name: "m" }, spec: { endpoints: [{ port: 8080 }] } },
    pod({ name: "ok", image: "x" }),
  ]);
  expect(problems.map((p) => [p.index, p.kind])).toEqual([[0, "Pod"], [1, "Pod"], [2, "Widget"], [3, "ServiceMonitor"]]);
  expect(problems[0]!.message).toMatch(/containerPort must be integer/);
  expect(problems[1]!.message).toMatch(/must have required property name/);
  expect(problems[2]!.message).toMatch(/no schema for apiVersion example.com\/v1 kind Widget/);
});

describe("helm-unittest suites", () => {
  const cases = CHARTS.flatMap((chart) => {
    const dir = localChartDir(chart);
    return readdirSync(join(dir, "unittests"))
      .filter((f) => f.endsWith("_test.yaml"))
      .flatMap((f) => {
        const suite = loadSuite(join(dir, "unittests", f));
        return suite.tests.map((t) => ({ chart, dir, suite, name: `${chart} / ${suite.suite} / ${t.it}`, test: t }));
      });
  });

  test("every chart has suites", () => {
    for (const chart of CHARTS) expect(cases.filter((c) => c.chart === chart).length).toBeGreaterThan(0);
  });

  test.each(cases.map((c) => [c.name, c] as const))("%s", (_name, c) => {
    expect(runUnitTest(c.dir, c.chart, c.suite, c.test)).toEqual([]);
  });

  test("a wrong expectation fails, and an assertion the runner does not know is refused (the check can fail)", () => {
    const dir = localChartDir("llm-gateway");
    const suite: Suite = { suite: "probe", templates: ["templates/deployment.yaml"], tests: [] };
    const wrong: UnitTest = { it: "wrong", asserts: [{ equal: { path: "spec.replicas", value: 99 } }, { isKind: { of: "Service" } }, { hasDocuments: { count: 3 } }] };
    expect(runUnitTest(dir, "llm-gateway", suite, wrong)).toHaveLength(3);
    expect(() => runUnitTest(dir, "llm-gateway", suite, { it: "unknown", asserts: [{ isAPIVersion: { of: "v1" } }] })).toThrow(/isAPIVersion is not supported/);
    expect(runUnitTest(dir, "llm-gateway", suite, { it: "must fail", asserts: [{ failedTemplate: {} }] })).toEqual(["failedTemplate: templates/deployment.yaml rendered without error"]);
  });

  test("paths and set keys are read as helm-unittest reads them", () => {
    expect(pathSegments('spec.containers[0].env')).toEqual(["spec", "containers", 0, "env"]);
    expect(pathSegments('data["config.yaml"]')).toEqual(["data", "config.yaml"]);
    expect(pathSegments("metadata.labels['app.kubernetes.io/name']")).toEqual(["metadata", "labels", "app.kubernetes.io/name"]);
    expect(() => pathSegments("a..b[x]")).toThrow(/unsupported path/);
    expect(valuesFromSet({ "a.b": 1, "a.c": [2], d: "x" })).toEqual({ a: { b: 1, c: [2] }, d: "x" });
  });
});

type Manifest = { apiVersion?: string; kind?: string; metadata?: { name?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> };
interface PodSpec {
  containers: Array<{ name: string; ports?: Array<{ name?: string; containerPort: number }>; volumeMounts?: Array<{ name: string }>; readinessProbe?: Probe; livenessProbe?: Probe; startupProbe?: Probe }>;
  initContainers?: Array<{ volumeMounts?: Array<{ name: string }> }>;
  volumes?: Array<{ name: string; configMap?: { name: string } }>;
}
interface Probe { httpGet?: { port: string | number } }

describe("every environment's releases render into consistent manifests", () => {
  const releases = ENVIRONMENTS.flatMap((env) =>
    platformStackOf(env)
      .releases.filter((r) => r.local)
      .map((r) => ({ name: `${env.name} ${r.releaseName}`, chart: r.chartName as LocalChartName, release: r.releaseName, namespace: r.namespace, values: r.values as Record<string, unknown> })),
  );
  const rendered = new Map<string, RenderedDocument[]>();
  const docsOf = (r: (typeof releases)[number]): Manifest[] => {
    if (!rendered.has(r.name)) rendered.set(r.name, renderChart(localChartDir(r.chart), r.values, r.release, r.namespace));
    return rendered.get(r.name)!.map((d) => d.doc as Manifest);
  };

  test("every environment has local releases of every chart", () => {
    for (const chart of CHARTS) expect(releases.filter((r) => r.chart === chart).length).toBeGreaterThanOrEqual(ENVIRONMENTS.length);
  });

  test("every manifest type-checks against the Kubernetes API types: no unknown field anywhere (kubeconform -strict's part)", () => {
    const manifests = releases.flatMap((r) => docsOf(r).map((doc) => ({ label: `${r.name} ${String(doc.kind)}/${String(doc.metadata?.name)}`, doc })));
    expect(manifests.length).toBeGreaterThan(50);
    expect(typeCheckManifests(manifests)).toEqual([]);
  });

  test.each(releases.map((r) => [r.name, r] as const))("%s", (_name, r) => {
    const docs = docsOf(r);
    expect(docs.length).toBeGreaterThan(0);
    for (const d of docs) {
      expect(d.apiVersion).toMatch(/^([a-z0-9.-]+\/)?v\d+((alpha|beta)\d+)?$/);
      expect(d.kind).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(d.metadata?.name).toMatch(/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/);
    }
    const configMaps = new Set(docs.filter((d) => d.kind === "ConfigMap").map((d) => d.metadata!.name!));
    const deployments = docs.filter((d) => d.kind === "Deployment");
    for (const dep of deployments) {
      const spec = dep.spec as { selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: PodSpec } };
      // The selector picks the pods the Deployment makes.
      expect(spec.template.metadata.labels).toMatchObject(spec.selector.matchLabels);
      const pod = spec.template.spec;
      const volumes = new Set((pod.volumes ?? []).map((v) => v.name));
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])]) for (const m of c.volumeMounts ?? []) expect(volumes).toContain(m.name);
      for (const v of pod.volumes ?? []) if (v.configMap) expect(configMaps).toContain(v.configMap.name);
      for (const c of pod.containers) {
        const ports = new Set((c.ports ?? []).flatMap((p) => [p.name, p.containerPort]));
        for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe]) if (probe?.httpGet) expect(ports).toContain(probe.httpGet.port);
      }
    }
    // Types, enums and required fields, per the Kubernetes (and prometheus-operator, KEDA) schemas.
    expect(validateManifests(docs)).toEqual([]);
    // Every Service selects the pods of one of the release's Deployments, on a port those pods name.
    for (const svc of docs.filter((d) => d.kind === "Service")) {
      const s = svc.spec as { selector: Record<string, string>; ports: Array<{ targetPort: string | number }> };
      const target = deployments.find((dep) => Object.entries(s.selector).every(([k, v]) => (dep.spec as { template: { metadata: { labels: Record<string, string> } } }).template.metadata.labels[k] === v));
      expect(target).toBeDefined();
      const pod = (target!.spec as { template: { spec: PodSpec } }).template.spec;
      const named = new Set(pod.containers.flatMap((c) => (c.ports ?? []).flatMap((p) => [p.name, p.containerPort])));
      for (const p of s.ports) expect(named).toContain(p.targetPort);
    }
  });
});
