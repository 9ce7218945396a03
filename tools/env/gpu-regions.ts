/**
 * Which GPU instance types exist in which AWS regions, from constructs/data/gpu-instance-regions.json (kept in the repo,
 * with its source and date: AWS adds regions over time, so the data can lag; refresh it with the command it names).
 */
import { z } from "zod";
import { GPU_INSTANCE_TYPES } from "../../constructs/accelerators";
import { gpuGroupInstanceTypes, type EnvironmentConfig } from "../../stacks/environment-config";
import data from "../../constructs/data/gpu-instance-regions.json";

const regionDataSchema = z.strictObject({
  description: z.string(),
  source: z.string().min(1),
  asOf: z.string().regex(/^\d{4}-\d{2}$/),
  regions: z.record(z.string(), z.array(z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/)).min(1)),
});

/** The data file's contents, validated once. */
export const GPU_REGION_DATA = regionDataSchema.parse(data);

/** One GPU instance type of an environment that the data says is not offered in a region. */
export interface MissingInstanceType {
  /** Field path of the node group's instance types, e.g. `nodeGroups.a100.instanceTypes`. */
  readonly path: string;
  readonly instanceType: string;
  /** Regions the data knows the type in. */
  readonly knownRegions: readonly string[];
}

/** Regions in which an instance type is offered; [] when the data does not know the type. */
export function regionsOf(instanceType: string): readonly string[] {
  return GPU_REGION_DATA.regions[instanceType] ?? [];
}

/**
 * Every GPU instance type of the environment's GPU node groups (their own or the accelerator's defaults, since
 * even a group scaled to zero is created with them) that is not offered in `region`.
 */
export function missingGpuInstanceTypes(env: EnvironmentConfig, region: string): MissingInstanceType[] {
  const missing: MissingInstanceType[] = [];
  for (const [name, group] of Object.entries(env.nodeGroups)) {
    if (group.kind !== "gpu") continue;
    for (const instanceType of gpuGroupInstanceTypes(group)) {
      const known = regionsOf(instanceType);
      if (!known.includes(region)) missing.push({ path: `nodeGroups.${name}.instanceTypes`, instanceType, knownRegions: known });
    }
  }
  return missing;
}

/** Every GPU instance type the accelerators know has region data (a test keeps the two files in step). */
export function instanceTypesWithoutRegionData(): string[] {
  return Object.keys(GPU_INSTANCE_TYPES).filter((t) => regionsOf(t).length === 0);
}
