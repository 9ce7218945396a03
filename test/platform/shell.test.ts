/**
 * Shell that runs only elsewhere (CI's entry point, the image smoke test, every `run:` step of the workflows) is
 * checked with shellcheck (Debian's package; `make test` installs it). Workflow steps are checked as actionlint
 * checks them when shellcheck is installed: each `${{ … }}` becomes a placeholder of the same length, the step runs
 * under GitHub's default `bash -e -o pipefail`, and the rules that placeholders trip are off.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { readWorkflow, workflowFiles } from "../support/workflow-files";
import { REPO } from "./fixtures";

const SHELLCHECK = "/usr/bin/shellcheck";
/** actionlint's exclusions for workflow steps: sourced files, and what a literal placeholder looks like to shellcheck. */
const STEP_EXCLUSIONS = "SC1091,SC2194,SC2050,SC2154,SC2157";

interface Problem { readonly line: number; readonly code: number; readonly message: string }

function shellcheck(script: string, exclude?: string): Problem[] {
  const args = ["--format=json", "--shell=bash", ...(exclude ? [`--exclude=${exclude}`] : []), "-"];
  try {
    execFileSync(SHELLCHECK, args, { input: script, encoding: "utf8", stdio: ["pipe", "pipe", "pipe"] });
    return [];
  } catch (e) {
    const out = (e as { stdout?: string }).stdout ?? "";
    if (!out.startsWith("[")) throw e; // shellcheck itself failed (not installed, bad arguments)
    return (JSON.parse(out) as Problem[]).map(({ line, code, message }) => ({ line, code, message }));
  }
}

const scripts = [".ci/run", ...["scripts", "services/gateway/scripts"].flatMap((d) => readdirSync(join(REPO, d)).filter((f) => f.endsWith(".sh")).map((f) => `${d}/${f}`))];

test("the scripts to check are found", () => {
  expect(scripts).toEqual(expect.arrayContaining([".ci/run", "scripts/test.sh", "services/gateway/scripts/image-smoke.sh"]));
});

test.each(scripts)("shellcheck finds nothing in %s", (file) => {
  expect(shellcheck(readFileSync(join(REPO, file), "utf8"))).toEqual([]);
});

const steps = workflowFiles.flatMap((file) =>
  Object.entries(readWorkflow(file).jobs).flatMap(([job, j]) =>
    (j.steps ?? []).flatMap((s, i) => (s.run !== undefined && (s.shell ?? j.defaults?.run?.shell ?? "bash") === "bash" ? [{ where: `${file} ${job} step ${i + 1} (${s.name ?? "unnamed"})`, run: s.run }] : [])),
  ),
);

/** A step's script as the runner executes it, with each expression replaced by a same-length placeholder. */
function stepScript(run: string): string {
  return `set -eo pipefail\n${run.replace(/\$\{\{[\s\S]*?\}\}/g, (m) => "_".repeat(m.length))}`;
}

test("the workflows have run steps to check", () => {
  expect(steps.length).toBeGreaterThan(10);
});

test.each(steps.map((s) => [s.where, s.run] as const))("shellcheck finds nothing in %s", (_where, run) => {
  expect(shellcheck(stepScript(run), STEP_EXCLUSIONS)).toEqual([]);
});

test("shellcheck flags an unquoted variable and a cd without a fallback (the check can fail)", () => {
  const codes = shellcheck(stepScript('cd ${{ inputs.dir }}/build\nrm -rf $TARGET/*\n'), STEP_EXCLUSIONS).map((p) => p.code);
  expect(codes).toEqual(expect.arrayContaining([2086]));
  expect(shellcheck("#!/bin/bash\ncd /tmp/x\n").map((p) => p.code)).toContain(2164);
});
