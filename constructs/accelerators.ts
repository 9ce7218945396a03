/**
 * The GPU accelerators the platform schedules models on, and the EC2 instance types that carry them.
 * This is data, kept in one place so the environment schema, the node-group construct and the policies
 * agree on what "an A100 node" or "an L40S node" means.
 */

/** An accelerator family a GPU node group is typed by. */
export type Accelerator = "a100" | "l40s";

/** What one EC2 instance type offers to GPU workloads. */
export interface GpuInstanceType {
  /** The accelerator family on the instance. */
  readonly accelerator: Accelerator;
  /** GPUs per instance. */
  readonly gpus: number;
  /** Memory per GPU in GiB. */
  readonly gpuMemoryGiB: number;
  /** vCPUs per instance. */
  readonly vcpus: number;
}

/** Every GPU instance type the platform knows, by EC2 name. */
export const GPU_INSTANCE_TYPES: Readonly<Record<string, GpuInstanceType>> = {
  "p4d.24xlarge": { accelerator: "a100", gpus: 8, gpuMemoryGiB: 40, vcpus: 96 },
  "p4de.24xlarge": { accelerator: "a100", gpus: 8, gpuMemoryGiB: 80, vcpus: 96 },
  "g6e.xlarge": { accelerator: "l40s", gpus: 1, gpuMemoryGiB: 48, vcpus: 4 },
  "g6e.2xlarge": { accelerator: "l40s", gpus: 1, gpuMemoryGiB: 48, vcpus: 8 },
  "g6e.4xlarge": { accelerator: "l40s", gpus: 1, gpuMemoryGiB: 48, vcpus: 16 },
  "g6e.8xlarge": { accelerator: "l40s", gpus: 1, gpuMemoryGiB: 48, vcpus: 32 },
  "g6e.16xlarge": { accelerator: "l40s", gpus: 1, gpuMemoryGiB: 48, vcpus: 64 },
  "g6e.12xlarge": { accelerator: "l40s", gpus: 4, gpuMemoryGiB: 48, vcpus: 48 },
  "g6e.24xlarge": { accelerator: "l40s", gpus: 4, gpuMemoryGiB: 48, vcpus: 96 },
  "g6e.48xlarge": { accelerator: "l40s", gpus: 8, gpuMemoryGiB: 48, vcpus: 192 },
};

/** How each accelerator family is bought and which instance types it defaults to. */
export const ACCELERATOR_PROFILES: Readonly<
  Record<Accelerator, { readonly capacityType: "ON_DEMAND" | "SPOT"; readonly defaultInstanceTypes: readonly string[] }>
> = {
  // Llama 3 70B with tensor parallelism 8 needs all 8 GPUs of one node for hours: spot reclaims would kill it.
  a100: { capacityType: "ON_DEMAND", defaultInstanceTypes: ["p4d.24xlarge"] },
  // Mistral 7B fits one L40S; spot with several same-shaped types keeps it cheap and available.
  l40s: { capacityType: "SPOT", defaultInstanceTypes: ["g6e.12xlarge", "g6e.24xlarge"] },
};

/** The instance types of an accelerator family, by name. */
export function instanceTypesOf(accelerator: Accelerator): string[] {
  return Object.entries(GPU_INSTANCE_TYPES)
    .filter(([, t]) => t.accelerator === accelerator)
    .map(([name]) => name);
}

/**
 * The GPUs every node of a group is guaranteed to have: the minimum over its instance types, since
 * a spot group may be given any of them.
 */
export function guaranteedGpusPerNode(instanceTypes: readonly string[]): number {
  const counts = instanceTypes.map((t) => GPU_INSTANCE_TYPES[t]?.gpus ?? 0);
  return counts.length === 0 ? 0 : Math.min(...counts);
}
