/**
 * Monthly cost and GPU capacity change of a plan: node groups (desired size x instance price, spot or on-demand)
 * and ElastiCache replication groups (nodes x node price), before vs after. A spot group spread over several
 * instance types is priced at the cheapest of them (the allocation strategy favours capacity, not price, so this
 * is a lower bound, and the line says so).
 */
import { gpusPerNode } from "./gpu";
import type { PlannedChange } from "./load-plan";
import type { PriceTable } from "./prices";
import { formatUsd } from "./prices";
import type { JsonObject, JsonValue } from "./types";
import { at, numberOf, read, stringListOf, stringOf, type Node } from "./values";

export interface CostLine {
  /** e.g. "+1 p4d.24xlarge on-demand: +$23,924.00/month". */
  readonly text: string;
  readonly monthlyDelta: number;
}

export interface CostDiff {
  readonly lines: readonly CostLine[];
  readonly monthlyDelta: number;
  /** Things that could not be priced or counted, one sentence each. */
  readonly notes: readonly string[];
  readonly gpus: { readonly desiredBefore: number; readonly desiredAfter: number; readonly maxBefore: number; readonly maxAfter: number };
}

interface Capacity {
  readonly key: string;
  readonly label: string;
  readonly nodes: number;
  readonly unitMonthly: number | undefined;
  readonly gpusPerNode: number;
  readonly maxNodes: number;
}

const nodeOf = (values: JsonObject | null, unknown: JsonValue): Node => ({ value: values ?? undefined, unknown: values ? unknown : undefined });

function nodeGroupCapacity(node: Node, prices: PriceTable, address: string, notes: string[]): Capacity | undefined {
  if (node.value === undefined) return undefined;
  const desired = numberOf(read(at(node, "scaling_config", "desired_size")));
  const max = numberOf(read(at(node, "scaling_config", "max_size")));
  const types = stringListOf(read(at(node, "instance_types")));
  const capacityType = stringOf(read(at(node, "capacity_type")));
  if (desired === "unknown" || types === "unknown" || capacityType === "unknown" || max === "unknown") {
    notes.push(`${address}: size, instance types or capacity type unknown at plan time; not priced`);
    return undefined;
  }
  const list = types?.values ?? [];
  if (list.length === 0) {
    notes.push(`${address}: instance types are not on the node group (launch template?); not priced`);
    return undefined;
  }
  const spot = capacityType === "SPOT";
  const priced = list
    .map((t) => ({ t, p: prices.ec2[t] ? (spot ? prices.ec2[t]!.spotMonthly : prices.ec2[t]!.onDemandMonthly) : undefined }))
    .sort((a, b) => (a.p ?? Infinity) - (b.p ?? Infinity));
  const cheapest = priced[0]!;
  if (cheapest.p === undefined) notes.push(`${address}: no price for ${list.join(", ")} in the price table`);
  const kind = spot ? "spot" : "on-demand";
  const label = list.length > 1 ? `${cheapest.t} ${kind} (cheapest of ${list.join(", ")})` : `${cheapest.t} ${kind}`;
  return { key: `ec2 ${[...list].sort().join(",")} ${kind}`, label, nodes: desired ?? 0, maxNodes: max ?? desired ?? 0, unitMonthly: cheapest.p, gpusPerNode: gpusPerNode(list) ?? 0 };
}

function redisCapacity(node: Node, prices: PriceTable, address: string, notes: string[]): Capacity | undefined {
  if (node.value === undefined) return undefined;
  const type = stringOf(read(at(node, "node_type")));
  const clusters = numberOf(read(at(node, "num_cache_clusters")));
  const groups = numberOf(read(at(node, "num_node_groups")));
  const replicas = numberOf(read(at(node, "replicas_per_node_group")));
  if (type === "unknown" || clusters === "unknown" || groups === "unknown" || replicas === "unknown" || type === undefined) {
    notes.push(`${address}: node type or count unknown at plan time; not priced`);
    return undefined;
  }
  const nodes = clusters ?? (groups ?? 1) * ((replicas ?? 0) + 1);
  const price = prices.elasticache[type]?.onDemandMonthly;
  if (price === undefined) notes.push(`${address}: no price for ${type} in the price table`);
  return { key: `cache ${type}`, label: type, nodes, maxNodes: nodes, unitMonthly: price, gpusPerNode: 0 };
}

/** The cost and GPU change of one stack's planned changes. */
export function costDiff(changes: readonly PlannedChange[], prices: PriceTable): CostDiff {
  const notes: string[] = [];
  const delta = new Map<string, { label: string; nodes: number; unit: number | undefined }>();
  const gpus = { desiredBefore: 0, desiredAfter: 0, maxBefore: 0, maxAfter: 0 };
  for (const c of changes) {
    const measure =
      c.type === "aws_eks_node_group" ? nodeGroupCapacity : c.type === "aws_elasticache_replication_group" ? redisCapacity : undefined;
    if (!measure) continue;
    const before = measure(nodeOf(c.before, {}), prices, c.address, notes);
    const after = c.action === "delete" ? undefined : measure(nodeOf(c.after, c.afterUnknown), prices, c.address, notes);
    if (c.action !== "delete" && c.after !== null && after === undefined) continue;
    for (const [side, sign] of [[before, -1], [after, 1]] as const) {
      if (!side) continue;
      const entry = delta.get(side.key) ?? { label: side.label, nodes: 0, unit: side.unitMonthly };
      entry.nodes += sign * side.nodes;
      if (sign === 1) entry.label = side.label;
      delta.set(side.key, entry);
      if (sign === -1) {
        gpus.desiredBefore += side.nodes * side.gpusPerNode;
        gpus.maxBefore += side.maxNodes * side.gpusPerNode;
      } else {
        gpus.desiredAfter += side.nodes * side.gpusPerNode;
        gpus.maxAfter += side.maxNodes * side.gpusPerNode;
      }
    }
  }
  const lines: CostLine[] = [];
  let total = 0;
  for (const { label, nodes, unit } of [...delta.values()].sort((a, b) => a.label.localeCompare(b.label))) {
    if (nodes === 0) continue;
    const count = `${nodes > 0 ? "+" : ""}${nodes}`;
    if (unit === undefined) {
      lines.push({ text: `${count} ${label}: price unknown`, monthlyDelta: 0 });
      continue;
    }
    const monthly = nodes * unit;
    total += monthly;
    lines.push({ text: `${count} ${label}: ${formatUsd(monthly, true)}/month`, monthlyDelta: monthly });
  }
  return { lines, monthlyDelta: Math.round(total * 100) / 100, notes, gpus };
}
