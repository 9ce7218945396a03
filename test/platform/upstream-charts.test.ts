/**
 * Upstream facts as tested data: every synthesized helm_release of every environment is held to
 * constructs/data/upstream-charts.json, whose entries were verified against the upstream repositories at the refs
 * they name (the repository index that serves the version; the chart version's values.yaml or templates for every
 * key). A release whose chart/version/repository is not there, or that sets a key not verified for that version,
 * fails here, with environment, release and key.
 */
import { Testing } from "cdktf";
import { parse } from "yaml";
import { UPSTREAM_CHARTS } from "../../constructs/private/helm-charts";
import { NOT_SERVED, SOURCE, UPSTREAM_FACTS, upstreamReleaseProblems, valuesKeyPaths, type SynthesizedRelease } from "../support/upstream-charts";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

interface HelmReleaseJson { name: string; chart: string; version?: string; repository?: string; values: string[] }

const synthesized: SynthesizedRelease[] = ENVIRONMENTS.flatMap((env) => {
  const json = JSON.parse(Testing.synth(platformStackOf(env))) as { resource: { helm_release: Record<string, HelmReleaseJson> } };
  return Object.values(json.resource.helm_release).map((r) => ({
    environment: env.name,
    name: r.name,
    chart: r.chart,
    version: r.version,
    repository: r.repository,
    values: parse(r.values[0] ?? "{}") as unknown,
  }));
});
const upstream = synthesized.filter((r) => r.repository !== undefined);

test("every environment installs upstream releases, and our own charts carry no repository", () => {
  for (const env of ENVIRONMENTS) expect(upstream.filter((r) => r.environment === env.name).length).toBeGreaterThanOrEqual(6);
  for (const r of synthesized.filter((x) => x.repository === undefined)) expect(r.chart).toMatch(/assets\//);
});

test.each(upstream.map((r) => [r.environment, r.name, r] as const))("%s: %s is a verified chart version, from the repository that serves it, with verified keys only", (_e, _n, r) => {
  expect(upstreamReleaseProblems(r)).toEqual([]);
});

test("the table and the pins agree: every pinned chart has an entry, every entry is pinned", () => {
  const pins = Object.entries(UPSTREAM_CHARTS).map(([key, c]) => ({ key, chart: c.chart, version: c.version, repository: c.repository }));
  const entries = UPSTREAM_FACTS.map((f) => ({ key: f.key, chart: f.chart, version: f.version, repository: f.repository }));
  expect(entries.sort((a, b) => a.key.localeCompare(b.key))).toEqual(pins.sort((a, b) => a.key.localeCompare(b.key)));
});

test("every fact names the upstream source it was read from (owner/repo@ref:path)", () => {
  for (const f of UPSTREAM_FACTS) {
    expect(f.served.source).toMatch(SOURCE);
    expect(f.served.archive).toMatch(new RegExp(`/${f.chart}-${f.version.replace(/\./g, "\\.")}\\.tgz$`));
    expect(f.values).toMatch(SOURCE);
    expect(f.keys.length).toBeGreaterThan(0);
    for (const k of f.keys) expect(k.source).toMatch(SOURCE);
    expect(new Set(f.keys.map((k) => k.path)).size).toBe(f.keys.length);
  }
});

test("a release whose chart image was verified runs that image: it sets no image key of its own", () => {
  const withImage = UPSTREAM_FACTS.filter((f) => f.image !== undefined);
  expect(withImage.map((f) => f.key).sort()).toEqual(["awsLoadBalancerController", "redis"]);
  for (const f of withImage) {
    expect(f.image!.source).toMatch(SOURCE);
    expect(f.image!.reference).toMatch(/^[\w.-]+(\/[\w.-]+)+:[\w.-]+$/);
    const releases = upstream.filter((r) => r.chart === f.chart && r.version === f.version);
    expect(releases.length).toBeGreaterThan(0);
    for (const r of releases) expect(valuesKeyPaths(r.values).filter((p) => p[0] === "image").map((p) => `${r.environment}/${r.name}: ${p.join(".")}`)).toEqual([]);
  }
});

test("no release uses a chart version from a repository known not to serve it", () => {
  for (const bad of NOT_SERVED) {
    expect(upstream.filter((r) => r.chart === bad.chart && r.version === bad.version && r.repository === bad.repository)).toEqual([]);
    expect(UPSTREAM_FACTS.some((f) => f.chart === bad.chart && f.version === bad.version && f.repository === bad.repository)).toBe(false);
  }
});

describe("the check can fail", () => {
  const keda = upstream.find((r) => r.environment === "dev" && r.chart === "keda")!;
  const values = keda.values as { prometheus: { operator: Record<string, unknown> } };

  test("a misspelt key is refused, naming environment, release and key", () => {
    const broken = { ...keda, values: { ...values, prometheus: { ...values.prometheus, operater: { enabled: true } } } };
    expect(upstreamReleaseProblems(broken)).toEqual([
      'environment "dev", release "keda" (chart keda 2.17.2 from https://kedacore.github.io/charts): values key "prometheus.operater.enabled" is not a verified key of keda 2.17.2 (kedacore/charts@v2.17.2:keda/values.yaml)',
    ]);
  });
  test("a key below a verified leaf is refused; below an open map it is accepted", () => {
    const lbc = upstream.find((r) => r.environment === "dev" && r.chart === "aws-load-balancer-controller")!;
    const v = lbc.values as Record<string, unknown>;
    expect(upstreamReleaseProblems({ ...lbc, values: { ...v, region: { name: "us-east-1" } } })).toHaveLength(1);
    expect(upstreamReleaseProblems({ ...lbc, values: { ...v, nodeSelector: { "topology.kubernetes.io/zone": "us-east-1a" } } })).toEqual([]);
  });
  test("the NTH pin that broke the first deploy is refused: eks-charts does not serve 0.27.2", () => {
    const nth = { environment: "prod", name: "aws-node-termination-handler", chart: "aws-node-termination-handler", version: "0.27.2", repository: "https://aws.github.io/eks-charts", values: {} };
    expect(upstreamReleaseProblems(nth)[0]).toMatch(/not in constructs\/data\/upstream-charts\.json \(verified for this chart: nothing\)$/);
  });
  test("a version bump without re-verified keys is refused", () => {
    expect(upstreamReleaseProblems({ ...keda, version: "2.18.0" })[0]).toMatch(/verified for this chart: 2\.17\.2 from https:\/\/kedacore\.github\.io\/charts\)$/);
  });
});

test("key paths stop at lists and scalars", () => {
  expect(valuesKeyPaths({ a: { b: 1, c: [1, { d: 2 }] }, e: {}, f: null })).toEqual([["a", "b"], ["a", "c"], ["e"], ["f"]]);
});
