import { GPU_INSTANCE_TYPES } from "../../constructs/accelerators";
import { loadEnvironments } from "../../stacks/environment-config";
import { GPU_REGION_DATA, instanceTypesWithoutRegionData, missingGpuInstanceTypes, regionsOf } from "../../tools/env/gpu-regions";
import { SHIPPED } from "./support";

test("every GPU instance type the accelerators know has region data, with its source and date", () => {
  expect(Object.keys(GPU_INSTANCE_TYPES).length).toBeGreaterThan(0);
  expect(instanceTypesWithoutRegionData()).toEqual([]);
  expect(GPU_REGION_DATA.source).toMatch(/describe-instance-type-offerings/);
  expect(GPU_REGION_DATA.asOf).toMatch(/^\d{4}-\d{2}$/);
});

test("every shipped environment's GPU types exist in its own region", () => {
  for (const env of loadEnvironments(SHIPPED)) expect(missingGpuInstanceTypes(env, env.aws.region)).toEqual([]);
});

test("a region without p4d or g6e lists every missing type with the group path", () => {
  const [prod] = loadEnvironments(SHIPPED, { only: [`${SHIPPED}/prod.yaml`] });
  const missing = missingGpuInstanceTypes(prod!, "sa-east-1");
  expect(missing.map((m) => `${m.path}:${m.instanceType}`)).toEqual([
    "nodeGroups.a100.instanceTypes:p4d.24xlarge",
    "nodeGroups.l40s.instanceTypes:g6e.12xlarge",
    "nodeGroups.l40s.instanceTypes:g6e.24xlarge",
  ]);
  expect(missing[0]!.knownRegions).toEqual(regionsOf("p4d.24xlarge"));
  // eu-west-1 has p4d but (per the data) no g6e.
  expect(missingGpuInstanceTypes(prod!, "eu-west-1").map((m) => m.instanceType)).toEqual(["g6e.12xlarge", "g6e.24xlarge"]);
});
