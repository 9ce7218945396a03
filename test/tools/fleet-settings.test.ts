import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readFleetSettings } from "../../tools/env/fleet-settings";
import { SHIPPED } from "./support";

function folderWith(fleet?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "fleet-"));
  if (fleet !== undefined) writeFileSync(join(dir, "_fleet.yaml"), fleet);
  return dir;
}

test("the shipped _fleet.yaml allocates /16s from 10.0.0.0/8", () => {
  expect(readFleetSettings(SHIPPED)).toEqual({ vpcSupernet: "10.0.0.0/8", vpcPrefixLength: 16, reservedCidrs: [] });
});

test("a folder without _fleet.yaml gets the defaults", () => {
  expect(readFleetSettings(folderWith())).toEqual({ vpcSupernet: "10.0.0.0/8", vpcPrefixLength: 16, reservedCidrs: [] });
});

test.each([
  ["vpcSupernet: 10.0.0.1/8\n", "vpcSupernet: expected an IPv4 network in CIDR notation with no host bits set"],
  ["vpcPrefixLength: 24\n", "vpcPrefixLength: Too big"],
  ["vpcSupernet: 10.0.0.0/20\nvpcPrefixLength: 16\n", "vpcSupernet: expected vpcSupernet to be at least as large as a VPC"],
  ["reservedCidrs: [10.0.0.0/33]\n", "reservedCidrs.0: expected an IPv4 network"],
  ["supernet: 10.0.0.0/8\n", 'Unrecognized key: "supernet"'],
  ["vpcSupernet: [\n", "invalid YAML"],
])("a bad _fleet.yaml (%p) names the file and field", (text, message) => {
  expect(() => readFleetSettings(folderWith(text))).toThrow(/Invalid fleet settings:\n  .*_fleet\.yaml: /);
  expect(() => readFleetSettings(folderWith(text))).toThrow(message);
});
