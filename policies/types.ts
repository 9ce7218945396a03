/**
 * The vocabulary of the policy engine: a rule is metadata plus a pure function over one normalized resource
 * and a read-only view of the other resources of its stack (or plan). Both inputs (synthesized cdk.tf.json and
 * `terraform show -json` plans) are normalized to the same PolicyResource shape, so a rule is written once.
 */
import type { EnvironmentConfig } from "../stacks/environment-config";

export type Severity = "error" | "warning" | "info";
export const SEVERITIES: readonly Severity[] = ["error", "warning", "info"];

/** A JSON value as read from either input. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * What is known about one attribute:
 * - known: the value is in the input (a synthesized literal, or a plan's `after`);
 * - unknown: the configuration sets it but its value is decided at apply time (a plan's `after_unknown`, or a
 *   cdktf token such as "${aws_kms_key.x.arn}");
 * - absent: the attribute is not set (null or missing).
 */
export type Lookup =
  | { readonly state: "known"; readonly value: JsonValue }
  | { readonly state: "unknown"; readonly reason: string }
  | { readonly state: "absent" };

/** Planned action on a resource; "none" for synthesized input (no plan). */
export type PlanAction = "create" | "update" | "replace" | "delete" | "no-op" | "read" | "none";

/** One managed resource of a stack, normalized from either input. */
export interface PolicyResource {
  /** Terraform address, e.g. aws_s3_bucket.model-store_bucket_BF100E04. */
  readonly address: string;
  readonly type: string;
  readonly name: string;
  /** Attribute values (synthesized body, or the plan's `after`). Blocks may be objects or lists of objects. */
  readonly values: JsonObject;
  /** Mirror of `values` marking what is unknown until apply (the plan's `after_unknown`); {} for synth input. */
  readonly unknown: JsonValue;
  /** Attribute name -> addresses it references (plan `configuration` expressions); {} when not available. */
  readonly references: Readonly<Record<string, readonly string[]>>;
  /** Planned action (plan input only). */
  readonly action: PlanAction;
}

/** A Helm chart kept in this repository: its Chart.yaml name and version, and its values.yaml. */
export interface LocalChart {
  readonly name: string;
  readonly version?: string;
  readonly values: JsonObject;
}

/** The stack a resource is evaluated in, read-only. */
export interface RuleContext {
  /** Stack name, e.g. prod-cluster. */
  readonly stack: string;
  /** Environment the stack belongs to (stack name without -cluster / -platform). */
  readonly environment: string;
  /** Which input the resources came from. */
  readonly source: "synth" | "plan";
  /** The environment's validated configuration, when it could be loaded. */
  readonly config?: EnvironmentConfig;
  /** Every resource of the stack (including the one under evaluation). */
  readonly resources: readonly PolicyResource[];
  /** Tags the AWS provider adds to every taggable resource (`default_tags`); undefined when not known. */
  readonly providerDefaultTags?: Readonly<Record<string, string>>;
  /** A Helm chart found on disk (kept in this repository), by the release's `chart` string. */
  localChart(chart: string): LocalChart | undefined;
  /** Resources of one type. */
  ofType(type: string): readonly PolicyResource[];
  /** Resources of `type` whose attribute `attribute` refers to `target` (by reference or by its known id/name/arn). */
  referencing(target: PolicyResource, type: string, attribute: string): readonly PolicyResource[];
}

export type RuleStatus = "compliant" | "non-compliant" | "not-applicable";

export interface RuleResult {
  readonly status: RuleStatus;
  /** One sentence naming the attribute and what was found; never a secret value. */
  readonly message: string;
  /** True when the outcome depends on a value known only after apply (reported, never as compliant). */
  readonly unknownAtPlanTime?: boolean;
}

/** A policy rule. `check` is pure: it reads the resource and the context, nothing else. */
export interface Rule {
  /** Stable id, e.g. LLM-EKS-001. */
  readonly id: string;
  readonly severity: Severity;
  readonly title: string;
  /** Why the rule exists. */
  readonly rationale: string;
  /** What to change when the rule fails. */
  readonly recommendedAction: string;
  /** Resource types the rule evaluates. */
  readonly appliesTo: readonly string[];
  check(resource: PolicyResource, context: RuleContext): RuleResult;
}

/** The result of one rule on one resource. */
export interface Finding {
  readonly ruleId: string;
  readonly severity: Severity;
  readonly title: string;
  readonly recommendedAction: string;
  readonly stack: string;
  readonly address: string;
  readonly status: RuleStatus;
  readonly message: string;
  readonly unknownAtPlanTime: boolean;
}

/** Rule result constructors. */
export const compliant = (message: string): RuleResult => ({ status: "compliant", message });
export const nonCompliant = (message: string): RuleResult => ({ status: "non-compliant", message });
export const notApplicable = (message: string): RuleResult => ({ status: "not-applicable", message });
/** The outcome hangs on a value decided at apply time: reported as non-compliant, marked unknown (fail closed). */
export const unknownAtPlanTime = (what: string): RuleResult => ({
  status: "non-compliant",
  message: `unknown at plan time: ${what} will be known after apply, so compliance cannot be shown`,
  unknownAtPlanTime: true,
});
