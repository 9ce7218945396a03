/**
 * Every shipped environment, synthesized in-process, passes every error-level rule; and the rules are actually
 * exercised (each one finds something to evaluate in the fleet, so a renamed resource type cannot make a rule
 * pass by never running).
 */
import { join } from "node:path";
import { Testing } from "cdktf";
import { loadEnvironments } from "../../stacks/environment-config";
import { addEnvironmentStacks } from "../../stacks/environment-stacks";
import { evaluateStacks } from "../../policies/engine";
import { loadSynthDir } from "../../policies/load-synth";
import { RULES } from "../../policies/rules";
import type { Finding } from "../../policies/types";

const ROOT = join(__dirname, "..", "..");

function synthesizeAll(): { findings: Finding[]; stacks: string[]; environments: string[] } {
  const envs = loadEnvironments(join(ROOT, "environments"), { cwd: ROOT });
  const app = Testing.app();
  for (const env of envs) addEnvironmentStacks(app, env);
  app.synth();
  const inputs = loadSynthDir(app.outdir);
  const findings = evaluateStacks(RULES, inputs, new Map(envs.map((e) => [e.name, e])));
  return { findings, stacks: inputs.map((i) => i.stack), environments: envs.map((e) => e.name) };
}

describe("shipped environments against the policies", () => {
  const { findings, stacks, environments } = synthesizeAll();

  it("synthesizes a cluster stack per environment", () => {
    expect(environments.length).toBeGreaterThanOrEqual(3);
    for (const env of environments) expect(stacks).toContain(`${env}-cluster`);
  });

  it.each(RULES.filter((r) => r.severity === "error").map((r) => [r.id, r.title]))("%s passes: %s", (id) => {
    const failing = findings.filter((f) => f.ruleId === id && f.status === "non-compliant").map((f) => `${f.stack} ${f.address}: ${f.message}`);
    expect(failing).toEqual([]);
  });

  it("exercises every rule on at least one resource (platform rules need the <env>-platform stacks)", () => {
    const unexercised = RULES.filter((r) => !findings.some((f) => f.ruleId === r.id && f.status !== "not-applicable")).map((r) => r.id);
    expect(unexercised).toEqual([]);
  });
});
