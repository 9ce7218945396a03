import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO } from "./fixtures";

const CHARTS = ["vllm-model", "text-embeddings", "llm-gateway", "observability", "rag-ingest"];

describe.each(CHARTS)("chart %s", (chart) => {
  const dir = join(REPO, "charts", chart);

  test("has the standard files", () => {
    for (const f of ["Chart.yaml", "values.yaml", "values.schema.json", "templates/_helpers.tpl", "templates/NOTES.txt"]) expect(existsSync(join(dir, f))).toBe(true);
    expect(readdirSync(join(dir, "templates", "tests")).length).toBeGreaterThan(0);
    expect(readdirSync(join(dir, "unittests")).filter((f) => f.endsWith("_test.yaml")).length).toBeGreaterThan(0);
  });

  test("Chart.yaml is apiVersion v2 with an exact version", () => {
    const meta = parse(readFileSync(join(dir, "Chart.yaml"), "utf8")) as { apiVersion: string; name: string; version: string };
    expect(meta).toMatchObject({ apiVersion: "v2", name: chart });
    expect(meta.version).toMatch(/^\d+\.\d+\.\d+$/);
  });

  test("_helpers.tpl defines name, fullname (63-char trimmed), labels, selectorLabels and serviceAccountName, each commented", () => {
    const helpers = readFileSync(join(dir, "templates", "_helpers.tpl"), "utf8");
    for (const name of ["name", "fullname", "labels", "selectorLabels", "serviceAccountName"]) {
      expect(helpers).toMatch(new RegExp(`\\{\\{/\\*\\n${chart}\\.${name}: [^\\n]+[\\s\\S]*?\\*/\\}\\}\\n\\{\\{- define "${chart}\\.${name}" -\\}\\}`));
    }
    expect(helpers).toContain("trunc 63");
  });

  test("values.schema.json is strict: additionalProperties false and required at the top, descriptions on properties", () => {
    const schema = JSON.parse(readFileSync(join(dir, "values.schema.json"), "utf8")) as { additionalProperties: boolean; required: string[]; properties: Record<string, { description?: string; $ref?: string }> };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required.length).toBeGreaterThan(0);
    const undocumented = Object.entries(schema.properties).filter(([k, p]) => !p.description && !p.$ref && !["nameOverride", "fullnameOverride"].includes(k));
    expect(undocumented.map(([k]) => k)).toEqual([]);
  });

  test("every top-level value has a ## @param comment", () => {
    const text = readFileSync(join(dir, "values.yaml"), "utf8");
    const values = parse(text) as Record<string, unknown>;
    for (const key of Object.keys(values)) expect(text).toMatch(new RegExp(`## @param ${key}[ .]`));
  });
});
