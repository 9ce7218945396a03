/**
 * The TEI releases' model commits (constructs/data/tei-model-revisions.json): every model the platform serves is
 * either pinned to a full commit with the public source that pins it, or listed as unpinned with a reason; the
 * synthesized staging release of the injection classifier carries the pin as the chart's `revision`.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import revisions from "../../constructs/data/tei-model-revisions.json";
import { TEI_MODELS, teiModelRevision } from "../../constructs/text-embeddings";
import { Testing } from "cdktf";
import { parse } from "yaml";
import { ENVIRONMENTS, platformStackOf } from "./fixtures";

test("every served model is pinned to a commit with its source, or listed as unpinned with a reason", () => {
  for (const model of Object.values(TEI_MODELS)) {
    const pin = (revisions.pinned as Record<string, { revision: string; source: string; commit: string } | undefined>)[model];
    const reason = (revisions.unpinned as Record<string, string | undefined>)[model];
    expect({ model, covered: Boolean(pin) !== Boolean(reason) }).toEqual({ model, covered: true });
    if (pin) {
      expect(pin.revision).toMatch(/^[0-9a-f]{40}$/);
      expect(pin.commit).toMatch(/^[0-9a-f]{40}$/);
      expect(pin.source).toMatch(/^[\w.-]+\/[\w.-]+@v?[\w.-]+:[\w./-]+/);
      expect(teiModelRevision(model)).toBe(pin.revision);
    } else {
      expect(reason?.length).toBeGreaterThan(10);
      expect(teiModelRevision(model)).toBeUndefined();
    }
  }
});

test("the staging injection classifier's release pins the commit; an unpinned model gets none", () => {
  const staging = ENVIRONMENTS.find((e) => e.name === "staging");
  if (!staging) throw new Error("no staging environment");
  const releases = Object.values((JSON.parse(Testing.synth(platformStackOf(staging))) as { resource: { helm_release: Record<string, { name: string; values: string[] }> } }).resource.helm_release);
  const values = (name: string): { modelId: string; revision: string } => {
    const r = releases.find((x) => x.name === name);
    if (!r) throw new Error(`no release ${name}; releases: ${releases.map((x) => x.name).join(", ")}`);
    return parse(r.values[0] as string) as { modelId: string; revision: string };
  };
  expect(values("tei-injection")).toMatchObject({ modelId: TEI_MODELS.injection, revision: teiModelRevision(TEI_MODELS.injection) });
  expect(values("tei-embedder").revision).toBe("");
});

test("the chart passes the revision with TEI's own flag name", () => {
  expect(revisions.flag.source).toMatch(/^huggingface\/text-embeddings-inference@v[\d.]+:router\/src\/main\.rs/);
  const template = readFileSync(join(__dirname, "../../charts/text-embeddings/templates/deployment.yaml"), "utf8");
  expect(template).toContain(`- ${revisions.flag.name}={{ . }}`);
});
