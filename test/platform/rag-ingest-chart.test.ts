/**
 * charts/rag-ingest, the ingestion Job (not a release of the platform stack: `make ingest-job` installs it per run):
 * its helm-unittest suite, its shipped values against its schema, and its manifests rendered for a PVC run and an S3
 * run checked against the Kubernetes schemas and the API's TypeScript types. Also that the command it runs exists in
 * the gateway image's layout and the labels its NetworkPolicies select are those of the platform's TEI and Qdrant.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { chartSchema } from "../../constructs/private/helm-values-schema";
import { renderChart, validateManifests } from "../support/chart-render";
import { loadSuite, runUnitTest } from "../support/helm-unittest";
import { typeCheckManifests } from "../support/manifest-types";
import { ENVIRONMENTS, REPO, platformStackOf } from "./fixtures";

const DIR = join(REPO, "charts", "rag-ingest");
const base = { collection: "handbook", groups: ["staff"] };
const runs: Record<string, Record<string, unknown>> = {
  pvc: { ...base, source: { type: "pvc", pvc: { claimName: "corpus" } } },
  s3: { ...base, shards: 64, parallelism: 32, source: { type: "s3", s3: { bucket: "corpus-bucket", prefix: "staged/handbook" } } },
};

describe("helm-unittest suite", () => {
  const cases = readdirSync(join(DIR, "unittests"))
    .filter((f) => f.endsWith("_test.yaml"))
    .flatMap((f) => {
      const suite = loadSuite(join(DIR, "unittests", f));
      return suite.tests.map((t) => [`${suite.suite} / ${t.it}`, suite, t] as const);
    });
  test.each(cases)("%s", (_name, suite, t) => {
    expect(runUnitTest(DIR, "rag-ingest", suite, t)).toEqual([]);
  });
});

test("the shipped values.yaml validates against the schema, which refuses unknown keys", () => {
  const validate = chartSchema(DIR);
  const values = parse(readFileSync(join(DIR, "values.yaml"), "utf8")) as Record<string, unknown>;
  expect(validate(values)).toBe(true);
  expect(validate({ ...values, shard: 3 })).toBe(false);
  expect(validate({ ...values, image: { repository: "x", tag: "latest" } })).toBe(false);
});

test.each(Object.entries(runs))("a %s run renders to manifests the Kubernetes schemas and types accept", (_name, values) => {
  const docs = renderChart(DIR, values, "ingest-handbook", "rag").filter((d) => d.doc !== null);
  const kinds = docs.map((d) => `${String(d.doc?.kind)}`).sort();
  expect(kinds).toEqual(["Job", "NetworkPolicy", "NetworkPolicy", "Pod", "PodMonitor", "ServiceAccount"]); // Pod: the helm test
  expect(validateManifests(docs.map((d) => d.doc))).toEqual([]);
  expect(typeCheckManifests(docs.map((d) => ({ label: `${d.source} ${String(d.doc?.kind)}`, doc: d.doc as { apiVersion?: unknown; kind?: unknown } })))).toEqual([]);
});

test("the Job's command is the compiled ingest CLI in the gateway image's working directory", () => {
  const job = renderChart(DIR, runs.pvc!, "ingest-handbook", "rag").find((d) => d.doc?.kind === "Job")?.doc as { spec: { template: { spec: { containers: Array<{ workingDir: string; command: string[] }> } } } };
  const c = job.spec.template.spec.containers[0]!;
  const dockerfile = readFileSync(join(REPO, "services", "gateway", "Dockerfile"), "utf8");
  expect(dockerfile).toContain(`WORKDIR ${c.workingDir}`);
  expect(c.command[1]).toBe("dist/rag/ingest-cli.js");
  // tsconfig.build.json compiles src/ into dist/: the source of dist/rag/ingest-cli.js
  expect(existsSync(join(REPO, "services", "gateway", "src", "rag", "ingest-cli.ts"))).toBe(true);
});

test("the NetworkPolicies admit the Job's pods to the platform's TEI embedder and Qdrant, at their ports and URLs", () => {
  const stack = platformStackOf(ENVIRONMENTS[0]!);
  const values = parse(readFileSync(join(DIR, "values.yaml"), "utf8")) as { networkPolicy: { targets: Array<{ name: string; podSelector: Record<string, string>; ports: number[] }> }; embedder: { url: string }; qdrant: { url: string } };
  const gateway = stack.releases.find((r) => r.releaseName === "llm-gateway")!.values as { networkPolicy: { protectedWorkloads: Array<{ name: string; namespace: string; podSelector: Record<string, string>; ports: number[] }> }; config: { rag: { embedder: { url: string }; qdrant: { url: string } } } };
  for (const t of values.networkPolicy.targets) {
    const w = gateway.networkPolicy.protectedWorkloads.find((p) => p.name === t.name);
    expect(w).toBeDefined();
    expect(w).toMatchObject({ namespace: "rag", podSelector: t.podSelector });
    expect(w!.ports).toEqual(expect.arrayContaining(t.ports));
  }
  expect(values.embedder.url).toBe(gateway.config.rag.embedder.url);
  expect(values.qdrant.url).toBe(gateway.config.rag.qdrant.url);
});

test("the values CI lints with render", () => {
  const values = parse(readFileSync(join(DIR, "ci", "lint-values.yaml"), "utf8")) as Record<string, unknown>;
  expect(renderChart(DIR, values).some((d) => d.doc?.kind === "Job")).toBe(true);
});
