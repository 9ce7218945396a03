/**
 * Reads `terraform show -json <planfile>` output (Terraform's documented JSON plan format, format_version 1.x)
 * into a normalized stack: every managed resource's planned action, its before/after values and the
 * after_unknown mirror; resources that will exist after apply become PolicyResources for the rules.
 * References between resources come from `configuration.root_module.resources[].expressions`.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { basename, join } from "node:path";
import { z } from "zod";
import { loadLocalCharts } from "./charts";
import type { StackInput } from "./context";
import { PolicyInputError } from "./errors";
import { parseJsonFile } from "./load-synth";
import type { JsonObject, JsonValue, PlanAction, PolicyResource } from "./types";
import { isObject } from "./values";

const json: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([z.string(), z.number(), z.boolean(), z.null(), z.array(json), z.record(z.string(), json)]),
);
const ACTIONS = ["no-op", "create", "read", "update", "delete"] as const;

const resourceChangeSchema = z.object({
  address: z.string().min(1),
  mode: z.enum(["managed", "data"]).default("managed"),
  type: z.string().min(1),
  name: z.string().min(1),
  provider_name: z.string().min(1),
  deposed: z.string().optional(),
  change: z.object({
    actions: z.array(z.enum(ACTIONS)).min(1).max(2),
    before: json.nullable(),
    after: json.nullable(),
    after_unknown: json.optional(),
    replace_paths: z.array(z.array(z.union([z.string(), z.number()]))).optional(),
  }),
});

const planSchema = z.object({
  format_version: z.string(),
  terraform_version: z.string().min(1),
  resource_changes: z.array(resourceChangeSchema).optional(),
  planned_values: json.optional(),
  configuration: json.optional(),
});

/** One planned change, as the review reports it. */
export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly name: string;
  readonly action: Exclude<PlanAction, "none" | "read">;
  readonly before: JsonObject | null;
  readonly after: JsonObject | null;
  readonly afterUnknown: JsonValue;
  /** Attribute paths that force the replacement, when Terraform says. */
  readonly replacePaths: ReadonlyArray<ReadonlyArray<string | number>>;
}

export interface PlanStack extends StackInput {
  readonly terraformVersion: string;
  readonly changes: readonly PlannedChange[];
}

function actionOf(actions: readonly string[], where: string): PlanAction {
  const key = actions.join(",");
  switch (key) {
    case "create":
    case "update":
    case "delete":
    case "no-op":
    case "read":
      return key;
    case "delete,create":
    case "create,delete":
      return "replace";
    default:
      throw new PolicyInputError(`${where}.change.actions: expected one of create, update, delete, no-op, read, ["delete","create"] or ["create","delete"]; got [${actions.join(", ")}]`);
  }
}

function pathOf(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") || "(root)";
}

/** Top-level attribute -> referenced addresses, per resource address, from the plan's configuration. */
function referencesOf(configuration: JsonValue | undefined): Map<string, Record<string, string[]>> {
  const out = new Map<string, Record<string, string[]>>();
  const rootModule = isObject(configuration) ? configuration.root_module : undefined;
  const resources = isObject(rootModule) && Array.isArray(rootModule.resources) ? rootModule.resources : [];
  for (const r of resources) {
    if (!isObject(r) || typeof r.address !== "string" || !isObject(r.expressions)) continue;
    const refs: Record<string, string[]> = {};
    for (const [attr, expr] of Object.entries(r.expressions)) {
      const list = isObject(expr) && Array.isArray(expr.references) ? expr.references.filter((x): x is string => typeof x === "string") : [];
      if (list.length > 0) refs[attr] = list;
    }
    out.set(r.address, refs);
  }
  return out;
}

/** Validates and normalizes one parsed plan document. `stack` defaults to the file name without .json. */
export function normalizePlan(doc: unknown, file: string, stack = basename(file).replace(/(\.plan)?\.json$/, "")): PlanStack {
  if (!isObject(doc)) throw new PolicyInputError(`${file}: expected a JSON object from \`terraform show -json\``);
  const version = doc.format_version;
  if (typeof version !== "string") throw new PolicyInputError(`${file}: format_version: missing; expected a string such as "1.2" (is this \`terraform show -json\` output?)`);
  if (!/^1\.\d+$/.test(version)) throw new PolicyInputError(`${file}: format_version: unsupported "${version}"; expected 1.x`);
  const parsed = planSchema.safeParse(doc);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new PolicyInputError(`${file}: ${pathOf(issue.path)}: ${issue.message}`);
  }
  const plan = parsed.data;
  if (plan.resource_changes === undefined && plan.planned_values === undefined) {
    throw new PolicyInputError(`${file}: resource_changes: missing; expected the planned changes (an empty plan still has planned_values)`);
  }
  const refs = referencesOf(plan.configuration);
  const changes: PlannedChange[] = [];
  const resources: PolicyResource[] = [];
  (plan.resource_changes ?? []).forEach((rc, i) => {
    if (rc.mode !== "managed") return;
    const where = `${file}: resource_changes[${i}] (${rc.address})`;
    const action = actionOf(rc.change.actions, where);
    if (action === "read" || action === "none") return;
    const { before, after } = rc.change;
    if (before !== null && !isObject(before)) throw new PolicyInputError(`${where}.change.before: expected an object or null`);
    if (after !== null && !isObject(after)) throw new PolicyInputError(`${where}.change.after: expected an object or null`);
    if (action !== "delete" && after === null && rc.change.after_unknown !== true) {
      throw new PolicyInputError(`${where}.change.after: expected the planned values for a ${action}; got null`);
    }
    if ((action === "delete" || action === "update" || action === "replace") && before === null && rc.deposed === undefined) {
      throw new PolicyInputError(`${where}.change.before: expected the current values for a ${action}; got null`);
    }
    const afterUnknown: JsonValue = rc.change.after_unknown ?? {};
    const address = rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address;
    changes.push({ address, type: rc.type, name: rc.name, action, before, after, afterUnknown, replacePaths: rc.change.replace_paths ?? [] });
    if (action !== "delete" && !rc.deposed) {
      resources.push({ address: rc.address, type: rc.type, name: rc.name, values: after ?? {}, unknown: afterUnknown, references: refs.get(rc.address) ?? {}, action });
    }
  });
  // cdktf chart assets are relative to the stack's folder, where CI runs terraform.
  const localCharts = loadLocalCharts(resources, [process.cwd(), join(process.cwd(), "cdktf.out", "stacks", stack)]);
  return { stack, source: "plan", file, resources, localCharts, terraformVersion: plan.terraform_version, changes };
}

/** Loads every *.json plan of a folder (or one file). Throws PolicyInputError when there is none. */
export function loadPlans(path: string): PlanStack[] {
  if (!existsSync(path)) throw new PolicyInputError(`${path}: expected a folder of plan JSON files (terraform show -json); it does not exist`);
  if (statSync(path).isFile()) return [normalizePlan(parseJsonFile(path), path)];
  const files = readdirSync(path).filter((f) => f.endsWith(".json")).sort();
  if (files.length === 0) throw new PolicyInputError(`${path}: expected at least one plan file (*.json, one per stack); found none`);
  return files.map((f) => normalizePlan(parseJsonFile(join(path, f)), join(path, f)));
}
