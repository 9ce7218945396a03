/**
 * Where the OpenAPI documents are looked for, and which suites jest.config.js leaves out when they are nowhere:
 * exactly the suites that load the validator, directly or through other modules (or a script they spawn).
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { REPO_ROOT, findSpecsDir, notFoundMessage, specsCandidates, suitesNeedingSpecs } from "./specs-location";

const validator = resolve(__dirname, "openapi-validator");
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "specs-location-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(path: string, text: string): string {
  const p = join(dir, path);
  mkdirSync(dirname(p), { recursive: true });
  writeFileSync(p, text);
  return p;
}

test("$SHARED_DIR/specs first, then ../shared/specs beside the repository; the message names both", () => {
  const shared = join(dir, "shared");
  mkdirSync(join(shared, "specs"), { recursive: true });
  expect(specsCandidates({ SHARED_DIR: shared })).toEqual([join(shared, "specs"), resolve(REPO_ROOT, "..", "shared", "specs")]);
  expect(specsCandidates({})).toEqual([resolve(REPO_ROOT, "..", "shared", "specs")]);
  expect(findSpecsDir({ SHARED_DIR: shared })).toBe(join(shared, "specs"));
  // A SHARED_DIR without specs falls back to the folder beside the repository (whichever exists here).
  expect(findSpecsDir({ SHARED_DIR: join(dir, "nowhere") })).toBe(findSpecsDir({}));
  const message = notFoundMessage({ SHARED_DIR: join(dir, "nowhere") });
  expect(message).toBe(`OpenAPI documents not found at ${join(dir, "nowhere", "specs")} ($SHARED_DIR/specs) or ${resolve(REPO_ROOT, "..", "shared", "specs")}`);
  expect(message.split("\n")).toHaveLength(1);
});

test("suites needing the documents: direct and indirect imports, spawned scripts; not the others", () => {
  const rel = (from: string) => {
    const r = relative(dirname(join(dir, from)), validator);
    return r.startsWith(".") ? r : `./${r}`;
  };
  const direct = write("a/direct.test.ts", `import { OpenApiValidator } from "${rel("a/direct.test.ts")}";\n`);
  write("a/helper.ts", `export { OpenApiValidator } from '${rel("a/helper.ts")}';\n`);
  const indirect = write("a/indirect.test.ts", `import { OpenApiValidator } from "./helper";\n`);
  write("b/script.ts", `import "${rel("b/script.ts")}";\n`);
  const spawned = write("b/spawns.test.ts", `const p = resolve(__dirname, "./script.ts");\n`);
  write("c/cycle-a.ts", `import "./cycle-b";\n`);
  write("c/cycle-b.ts", `import "./cycle-a";\n`);
  write("c/plain.test.ts", `import "./cycle-a";\nimport { x } from "node:fs";\n`);
  write("c/node_modules/dep.test.ts", `import "${rel("c/node_modules/dep.test.ts")}";\n`);
  expect(suitesNeedingSpecs([dir]).sort()).toEqual([direct, indirect, spawned].sort());
});

test("in this repository: every suite that starts a spec-validating stand-in is among those left out without the documents", () => {
  const gateway = resolve(__dirname, "..", "..");
  const listed = new Set(suitesNeedingSpecs([join(gateway, "test"), join(gateway, "src")]));
  expect(listed.size).toBeGreaterThan(10);
  const suites = readdirSync(join(gateway, "test"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".test.ts")).map((f) => join(gateway, "test", f)).filter((f) => f !== __filename);
  const usingStandins = suites.filter((f) => /Standin\.start|OpenApiValidator|startHarness|OpenAiLoopback/.test(readFileSync(f, "utf8")));
  expect(usingStandins.length).toBeGreaterThan(10);
  for (const f of usingStandins) expect([f, listed.has(f)]).toEqual([f, true]);
  // A suite that uses no stand-in runs without them.
  expect(listed.has(join(gateway, "test/gateway/config.test.ts"))).toBe(false);
  expect(readFileSync(join(gateway, "test/gateway/config.test.ts"), "utf8")).not.toMatch(/Standin|openapi-validator/);
});
