/**
 * The labels and taints the platform puts on nodes, in one place: the node-group constructs set them, workloads
 * select on them (through the nodeSelector and tolerations the GPU node group exposes), policies check them.
 */

/** Label prefix of the platform's own node labels. */
export const LABEL_PREFIX = "llm-platform.io";

/** Node label keys. */
export const NODE_LABELS = {
  /** Name of the node group (key in the environment's nodeGroups). */
  nodeGroup: `${LABEL_PREFIX}/node-group`,
  /** "system" or "gpu". */
  role: `${LABEL_PREFIX}/role`,
  /** Accelerator family of a GPU node: "a100" or "l40s". */
  accelerator: `${LABEL_PREFIX}/accelerator`,
  /** "on-demand" or "spot". */
  capacityType: `${LABEL_PREFIX}/capacity-type`,
} as const;

/** The taint every GPU node carries so only workloads that tolerate it (and request GPUs) land there. */
export const GPU_TAINT = { key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" } as const;

/** EKS's spelling of taint effects in the node group API. */
export const EKS_TAINT_EFFECT = { NoSchedule: "NO_SCHEDULE", PreferNoSchedule: "PREFER_NO_SCHEDULE", NoExecute: "NO_EXECUTE" } as const;
