/**
 * Renders our Helm charts on machines without helm, through tools/chart-render (Go's text/template with sprig and
 * Helm's functions; see its header for what it is and is not). Built once per source version with Debian's Go in
 * GOPATH mode (no module downloads), into node_modules/.cache.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseAllDocuments, stringify } from "yaml";
import { chartDefaultValues, chartSchema, coalesceValues, describeSchemaError, withTokenPlaceholders } from "../../constructs/private/helm-values-schema";

const REPO = join(__dirname, "..", "..");
const SOURCE = join(REPO, "tools", "chart-render", "main.go");

/** One rendered manifest: the template it came from ("<chart>/templates/x.yaml") and its parsed document. */
export interface RenderedDocument {
  readonly source: string;
  readonly doc: Record<string, unknown> | null;
}

export class RenderError extends Error {}

let built: string | undefined;

/** The renderer's binary, built if this version of its source has not been built yet. */
export function chartRenderer(): string {
  if (built) return built;
  const hash = createHash("sha256").update(readFileSync(SOURCE)).digest("hex").slice(0, 16);
  const dir = join(REPO, "node_modules", ".cache", "chart-render", hash);
  const bin = join(dir, "chart-render");
  if (!existsSync(bin)) {
    mkdirSync(dir, { recursive: true });
    execFileSync("go", ["build", "-o", bin, SOURCE], {
      env: { ...process.env, GO111MODULE: "off", GOPATH: "/usr/share/gocode", GOCACHE: join(dir, "gocache"), GOFLAGS: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
  }
  built = bin;
  return bin;
}

/**
 * Renders `chartDir` as `helm template RELEASE CHART --namespace NS -f <values>` would: like helm, it first
 * validates the values coalesced over values.yaml against values.schema.json. cdktf tokens in the values (outputs
 * of the cluster stack) become placeholders. Throws RenderError.
 */
export function renderChart(chartDir: string, values: Record<string, unknown>, release = "RELEASE-NAME", namespace = "NAMESPACE"): RenderedDocument[] {
  const validate = chartSchema(chartDir);
  if (!validate(withTokenPlaceholders(coalesceValues(chartDefaultValues(chartDir), values)))) {
    const problems = (validate.errors ?? []).filter((e) => e.keyword !== "if").map(describeSchemaError);
    throw new RenderError(`values don't meet the specifications of the schema: ${problems.map((p) => `${p.path}: ${p.message}`).join("; ")}`);
  }
  const tmp = mkdtempSync(join(tmpdir(), "chart-render-"));
  try {
    const valuesFile = join(tmp, "values.yaml");
    writeFileSync(valuesFile, stringify(withTokenPlaceholders(values)));
    let out: string;
    try {
      out = execFileSync(chartRenderer(), [chartDir, release, namespace, "-f", valuesFile], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], maxBuffer: 64 * 2 ** 20 });
    } catch (e) {
      throw new RenderError(String((e as { stderr?: string }).stderr ?? e).trim());
    }
    return parseRendered(out);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Splits the renderer's output into its templates (each starts with "---" and a "# Source:" line) and each template's
 * text into YAML documents; a YAML error names its template.
 */
export function parseRendered(out: string): RenderedDocument[] {
  const docs: RenderedDocument[] = [];
  const parts = out.split(/^---\n# Source: (\S+)\n/m);
  for (let i = 1; i < parts.length; i += 2) {
    const source = parts[i]!;
    for (const d of parseAllDocuments(parts[i + 1] ?? "")) {
      if (d.errors.length > 0) throw new RenderError(`${source}: ${d.errors[0]!.message}`);
      const doc = d.toJS() as Record<string, unknown> | null;
      if (doc !== null) docs.push({ source, doc });
    }
  }
  return docs;
}

/** A manifest the Kubernetes schemas refuse: its position, kind, name and the schema's message. */
export interface ManifestProblem { readonly index: number; readonly kind?: string; readonly name?: string; readonly message: string }

/** Validates manifests against the Kubernetes API schemas (test/support/validate-manifests.mjs). */
export function validateManifests(docs: readonly unknown[]): ManifestProblem[] {
  const out = execFileSync(process.execPath, [join(__dirname, "validate-manifests.mjs")], { input: JSON.stringify(docs), encoding: "utf8", cwd: REPO, maxBuffer: 64 * 2 ** 20 });
  return JSON.parse(out) as ManifestProblem[];
}
