/**
 * Fleet settings: environments/_fleet.yaml (the '_' keeps it out of the environment loader). It says where new
 * VPC CIDRs come from. A folder without the file gets the defaults below.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseDocument } from "yaml";
import { z } from "zod";
import { parseCidr } from "../../stacks/environment-config";
import { EnvToolError } from "./errors";

const cidr = z.string().refine((s) => parseCidr(s) !== undefined, "expected an IPv4 network in CIDR notation with no host bits set, e.g. 10.0.0.0/8");

/** The file's schema; defaults make every key optional. */
export const fleetSettingsSchema = z
  .strictObject({
    /** The block every environment VPC is allocated from. @default 10.0.0.0/8 */
    vpcSupernet: cidr.default("10.0.0.0/8"),
    /** Prefix length of a new VPC: /16 to /20, what the environment schema accepts. @default 16 */
    vpcPrefixLength: z.number().int().min(16).max(20).default(16),
    /** Ranges never handed out (peered VPCs, on-premises networks). @default [] */
    reservedCidrs: z.array(cidr).default([]),
  })
  .refine((s) => (parseCidr(s.vpcSupernet)?.prefix ?? 0) <= s.vpcPrefixLength, {
    message: "expected vpcSupernet to be at least as large as a VPC (its prefix length ≤ vpcPrefixLength)",
    path: ["vpcSupernet"],
  });

/** Validated fleet settings. */
export type FleetSettings = z.output<typeof fleetSettingsSchema>;

/** The name of the fleet settings file inside an environments folder. */
export const FLEET_SETTINGS_FILE = "_fleet.yaml";

/** Reads `<dir>/_fleet.yaml`, or the defaults when there is none; throws EnvToolError naming the field. */
export function readFleetSettings(dir: string): FleetSettings {
  const path = join(dir, FLEET_SETTINGS_FILE);
  const display = relative(process.cwd(), path) || path;
  let raw: unknown = {};
  if (existsSync(path)) {
    const doc = parseDocument(readFileSync(path, "utf8"), { uniqueKeys: true });
    if (doc.errors.length > 0) {
      throw new EnvToolError("Invalid fleet settings", [{ file: display, path: "", message: `invalid YAML: ${doc.errors[0]!.message.split("\n")[0]}` }]);
    }
    raw = doc.toJS() ?? {};
  }
  const parsed = fleetSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    throw new EnvToolError(
      "Invalid fleet settings",
      parsed.error.issues.map((i) => ({ file: display, path: i.path.map(String).join("."), message: i.message })),
    );
  }
  return parsed.data;
}
