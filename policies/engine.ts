/** Runs rules over normalized stacks and counts the outcome. */
import type { EnvironmentConfig } from "../stacks/environment-config";
import { buildContext, environmentOf, type StackInput } from "./context";
import type { Finding, Rule, Severity } from "./types";

/** Evaluates every rule on every resource of a stack it applies to. */
export function evaluateStack(rules: readonly Rule[], input: StackInput, config?: EnvironmentConfig): Finding[] {
  const context = buildContext(input, config);
  const findings: Finding[] = [];
  for (const resource of input.resources) {
    for (const rule of rules) {
      if (!rule.appliesTo.includes(resource.type) && !rule.appliesTo.includes("*")) continue;
      let result;
      try {
        result = rule.check(resource, context);
      } catch (err) {
        // A rule that throws is a bug in the rule; report it as a failure rather than losing the resource.
        result = { status: "non-compliant" as const, message: `rule error: ${(err as Error).message}` };
      }
      findings.push({
        ruleId: rule.id,
        severity: rule.severity,
        title: rule.title,
        recommendedAction: rule.recommendedAction,
        stack: input.stack,
        address: resource.address,
        status: result.status,
        message: result.message,
        unknownAtPlanTime: result.unknownAtPlanTime === true,
      });
    }
  }
  return findings;
}

/** Evaluates stacks, giving each the configuration of its environment when known. */
export function evaluateStacks(
  rules: readonly Rule[],
  inputs: readonly StackInput[],
  configs: ReadonlyMap<string, EnvironmentConfig> = new Map(),
): Finding[] {
  return inputs.flatMap((input) => evaluateStack(rules, input, configs.get(environmentOf(input.stack))));
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

/** True when a finding fails at the given threshold (`error` fails on errors only, `warning` on both). */
export function failsAt(finding: Finding, failOn: Severity): boolean {
  return finding.status === "non-compliant" && RANK[finding.severity] >= RANK[failOn];
}

export interface Tally {
  readonly passed: number;
  /** Non-compliant at or above the threshold. */
  readonly failed: number;
  /** Non-compliant below the threshold (reported, not failing). */
  readonly belowThreshold: number;
  readonly notApplicable: number;
}

export function tally(findings: readonly Finding[], failOn: Severity): Tally {
  let passed = 0, failed = 0, belowThreshold = 0, notApplicable = 0;
  for (const f of findings) {
    if (f.status === "compliant") passed++;
    else if (f.status === "not-applicable") notApplicable++;
    else if (failsAt(f, failOn)) failed++;
    else belowThreshold++;
  }
  return { passed, failed, belowThreshold, notApplicable };
}
