/**
 * Scheduling helpers for workloads that run on every GPU node group (device plugin, DCGM exporter, termination
 * handler): a node affinity matching any of the groups, and the union of their tolerations.
 */
import type { GpuScheduling, Toleration } from "../../stacks/cluster-outputs";

/** A Kubernetes node affinity (as Helm values spell it) that matches the nodes of any of the groups. */
export function anyGroupNodeAffinity(groups: readonly GpuScheduling[]): Record<string, unknown> {
  return {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        // nodeSelectorTerms are ORed; the expressions of one term are ANDed.
        nodeSelectorTerms: groups.map((g) => ({
          matchExpressions: Object.entries(g.nodeSelector)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([key, value]) => ({ key, operator: "In", values: [value] })),
        })),
      },
    },
  };
}

/** The tolerations of all groups, without duplicates. */
export function unionTolerations(groups: readonly GpuScheduling[]): Toleration[] {
  const seen = new Map<string, Toleration>();
  for (const t of groups.flatMap((g) => g.tolerations)) seen.set(JSON.stringify([t.key, t.operator, t.value, t.effect]), { ...t });
  return [...seen.values()];
}

/** A toleration as a plain values object (drops undefined fields, which YAML would render as null). */
export function tolerationValues(t: Toleration): Record<string, string> {
  return Object.fromEntries(Object.entries(t).filter(([, v]) => v !== undefined)) as Record<string, string>;
}
