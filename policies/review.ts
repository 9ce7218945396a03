/**
 * The pull-request review report: one Markdown document for every stack's plan. Destroyed or replaced stateful
 * resources come first (across all stacks), then per stack the change counts, cost and GPU change, findings by
 * severity, and the list of changes. Attribute values are never printed (plans carry secrets); only names.
 */
import { chartName } from "./helm-values";
import { costDiff } from "./cost";
import { failsAt, tally } from "./engine";
import type { PlanStack, PlannedChange } from "./load-plan";
import { formatUsd, type PriceTable } from "./prices";
import type { Finding, PolicyResource, Severity } from "./types";

/** Marker that lets CI find and update its own PR comment. */
export const REPORT_MARKER = "<!-- llm-platform-plan-review -->";

/** Types whose destruction loses data or takes the service down. */
const STATEFUL_TYPES: Readonly<Record<string, string>> = {
  aws_eks_cluster: "EKS cluster",
  aws_eks_node_group: "EKS node group",
  aws_elasticache_replication_group: "Redis (ElastiCache)",
  aws_s3_bucket: "S3 bucket",
  aws_kms_key: "KMS key",
  kubernetes_persistent_volume_claim: "persistent volume claim",
  kubernetes_persistent_volume_claim_v1: "persistent volume claim",
};

/** What a change destroys, when it is stateful; undefined otherwise. */
export function statefulKind(change: PlannedChange): string | undefined {
  if (STATEFUL_TYPES[change.type]) return STATEFUL_TYPES[change.type];
  if (change.type === "helm_release") {
    const values = change.before ?? change.after;
    const pseudo: PolicyResource = { address: change.address, type: change.type, name: change.name, values: values ?? {}, unknown: {}, references: {}, action: change.action };
    if (/qdrant/.test(chartName(pseudo) ?? "")) return "Qdrant release (vector data)";
  }
  return undefined;
}

const VERB: Record<PlannedChange["action"], string> = { create: "add", update: "change", replace: "replace", delete: "destroy", "no-op": "no-op" };

/** Top-level attributes an update or replace touches (names only). */
export function changedAttributes(change: PlannedChange): string[] {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const unknown = change.afterUnknown !== null && typeof change.afterUnknown === "object" && !Array.isArray(change.afterUnknown) ? change.afterUnknown : {};
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...keys]
    .filter((k) => unknown[k] === true || JSON.stringify(before[k] ?? null) !== JSON.stringify(after[k] ?? null))
    .sort();
}

function replaceReason(change: PlannedChange): string {
  const paths = change.replacePaths.map((p) => p.map(String).join("."));
  return paths.length > 0 ? `; forced by ${paths.join(", ")}` : "";
}

export interface ReviewOptions {
  readonly failOn: Severity;
  /** Lowest severity listed in the report. */
  readonly showLevel: Severity;
}

const RANK: Record<Severity, number> = { error: 3, warning: 2, info: 1 };
const HEADINGS: Record<Severity, string> = { error: "Errors", warning: "Warnings", info: "Info" };

function findingLine(f: Finding): string {
  return `- **${f.ruleId}** ${f.title}: \`${f.address}\`: ${f.message}. Fix: ${f.recommendedAction}`;
}

function stackSection(stack: PlanStack, findings: readonly Finding[], prices: PriceTable, options: ReviewOptions): string[] {
  const lines: string[] = [`## ${stack.stack}`, ""];
  const counts = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const c of stack.changes) if (c.action !== "no-op") counts[c.action]++;
  lines.push("| Add | Change | Replace | Destroy |", "|----:|-------:|--------:|--------:|", `| ${counts.create} | ${counts.update} | ${counts.replace} | ${counts.delete} |`, "");

  const cost = costDiff(stack.changes, prices);
  lines.push(`### Cost and GPU capacity`, "");
  if (cost.lines.length === 0) lines.push("- No priced capacity changes.");
  for (const l of cost.lines) lines.push(`- ${l.text}`);
  if (cost.lines.length > 0) lines.push(`- Net change: ${formatUsd(cost.monthlyDelta, true)}/month`);
  const g = cost.gpus;
  const d = g.desiredAfter - g.desiredBefore;
  lines.push(`- GPUs at desired size: ${g.desiredBefore} -> ${g.desiredAfter} (${d >= 0 ? "+" : ""}${d}); at max size: ${g.maxBefore} -> ${g.maxAfter}`);
  for (const n of cost.notes) lines.push(`- Note: ${n}`);
  lines.push("");

  const own = findings.filter((f) => f.stack === stack.stack);
  const t = tally(own, options.failOn);
  lines.push(`### Findings`, "", `Rule evaluations: ${t.passed} passed, ${t.failed} failed, ${t.belowThreshold} below --fail-on ${options.failOn}, ${t.notApplicable} not applicable.`, "");
  for (const severity of ["error", "warning", "info"] as const) {
    if (RANK[severity] < RANK[options.showLevel]) continue;
    const list = own.filter((f) => f.status === "non-compliant" && f.severity === severity);
    lines.push(`#### ${HEADINGS[severity]} (${list.length})`, "");
    if (list.length === 0) lines.push("None.");
    for (const f of list) lines.push(findingLine(f));
    lines.push("");
  }

  lines.push(`### Changes`, "");
  const changed = stack.changes.filter((c) => c.action !== "no-op");
  if (changed.length === 0) lines.push("No changes.");
  for (const action of ["create", "update", "replace", "delete"] as const) {
    for (const c of changed.filter((x) => x.action === action)) {
      const attrs = action === "update" ? changedAttributes(c) : [];
      const detail = action === "update" && attrs.length > 0 ? ` (${attrs.join(", ")})` : action === "replace" ? replaceReason(c).replace(/^; /, " (") + (c.replacePaths.length > 0 ? ")" : "") : "";
      lines.push(`- ${VERB[action]} \`${c.address}\`${detail}`);
    }
  }
  lines.push("");
  return lines;
}

/** The whole report. */
export function renderReview(stacks: readonly PlanStack[], findings: readonly Finding[], prices: PriceTable, options: ReviewOptions): string {
  const failing = findings.filter((f) => failsAt(f, options.failOn));
  const lines: string[] = [REPORT_MARKER, `# Plan review`, ""];
  lines.push(
    failing.length > 0
      ? `**Result: FAIL**: ${failing.length} finding${failing.length > 1 ? "s" : ""} at or above ${options.failOn} in ${new Set(failing.map((f) => f.stack)).size} stack(s).`
      : `**Result: PASS**: no finding at or above ${options.failOn}.`,
    "",
  );
  const stateful = stacks.flatMap((s) =>
    s.changes
      .filter((c) => c.action === "delete" || c.action === "replace")
      .map((c) => ({ s, c, kind: statefulKind(c) }))
      .filter((x) => x.kind !== undefined),
  );
  if (stateful.length > 0) {
    lines.push(`## Stateful resources destroyed or replaced`, "");
    for (const { s, c, kind } of stateful) lines.push(`- **${c.action === "delete" ? "DESTROY" : "REPLACE"}** \`${c.address}\` in ${s.stack}: ${kind}${c.action === "replace" ? replaceReason(c) : ""}`);
    lines.push("");
  }
  lines.push(`Stacks: ${stacks.map((s) => s.stack).join(", ")}. Prices: ${prices.region}, taken ${prices.takenOn} (policies/data/prices.json).`, "");
  for (const s of stacks) lines.push(...stackSection(s, findings, prices, options));
  return `${lines.join("\n").trimEnd()}\n`;
}
