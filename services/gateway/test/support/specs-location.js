// @ts-check
/**
 * Where the official OpenAPI documents (OpenAI, Qdrant, text-embeddings-inference) live, and which test suites need
 * them. The repository carries no copy: they are read from $SHARED_DIR/specs, or else ../shared/specs beside the
 * repository (CI and development machines have one of them). Plain CommonJS so jest.config.js can use it before
 * any transform runs; the stand-ins' validator (openapi-validator.ts) reads the same location.
 */
const { existsSync, readdirSync, readFileSync, statSync } = require("node:fs");
const { dirname, join, resolve } = require("node:path");

/** The repository's root (this file is services/gateway/test/support/specs-location.js). */
const REPO_ROOT = resolve(__dirname, "..", "..", "..", "..");
/** The module every spec-validating stand-in loads the documents through. */
const VALIDATOR = resolve(__dirname, "openapi-validator.ts");

/**
 * The places looked at, in order.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string[]}
 */
function specsCandidates(env = process.env) {
  /** @type {string[]} */
  const out = [];
  if (env.SHARED_DIR) out.push(resolve(env.SHARED_DIR, "specs"));
  out.push(resolve(REPO_ROOT, "..", "shared", "specs"));
  return out;
}

/**
 * The first candidate folder that exists, or undefined.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string | undefined}
 */
function findSpecsDir(env = process.env) {
  return specsCandidates(env).find((dir) => existsSync(dir) && statSync(dir).isDirectory());
}

/**
 * One line saying where the documents were looked for.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {string}
 */
function notFoundMessage(env = process.env) {
  const [first, second] = env.SHARED_DIR ? specsCandidates(env) : [undefined, ...specsCandidates(env)];
  const where = first ? `${first} ($SHARED_DIR/specs) or ${second}` : `${second} (../shared/specs beside the repository; set SHARED_DIR to use another shared/ folder)`;
  return `OpenAPI documents not found at ${where}`;
}

/** Relative imports and requires, and string literals naming a local .ts file (a script a test spawns). */
const IMPORT = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)["'](\.{1,2}\/[^"']+)["']|["'](\.{1,2}\/[^"'\s]+\.ts)["']/gm;

/**
 * The local files a TypeScript file imports (or names as a .ts path, relative to its folder), resolved.
 * @param {string} file
 * @returns {string[]}
 */
function localImports(file) {
  const text = readFileSync(file, "utf8");
  /** @type {string[]} */
  const out = [];
  for (const m of text.matchAll(IMPORT)) {
    const base = resolve(dirname(file), /** @type {string} */ (m[1] ?? m[2]));
    const hit = [base, `${base}.ts`, `${base}.js`, join(base, "index.ts")].find((p) => existsSync(p) && statSync(p).isFile());
    if (hit) out.push(hit);
  }
  return out;
}

/**
 * Every *.test.ts under `roots`.
 * @param {string[]} roots
 * @returns {string[]}
 */
function testFiles(roots) {
  /** @type {string[]} */
  const out = [];
  const walk = (/** @type {string} */ dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.name === "node_modules" || e.name.startsWith(".")) continue;
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith(".test.ts")) out.push(p);
    }
  };
  for (const r of roots) if (existsSync(r)) walk(r);
  return out.sort();
}

/**
 * The test files under `roots` that load the OpenAPI documents: those importing, directly or through other local
 * modules, test/support/openapi-validator.ts.
 * @param {string[]} roots
 * @returns {string[]}
 */
function suitesNeedingSpecs(roots) {
  /** @type {Map<string, boolean>} */
  const memo = new Map();
  const needs = (/** @type {string} */ file) => {
    const known = memo.get(file);
    if (known !== undefined) return known;
    memo.set(file, false); // import cycles end here
    const result = file === VALIDATOR || localImports(file).some(needs);
    memo.set(file, result);
    return result;
  };
  return testFiles(roots).filter(needs);
}

module.exports = { REPO_ROOT, specsCandidates, findSpecsDir, notFoundMessage, suitesNeedingSpecs };
