/**
 * Regenerates policies/data/taggable-aws-types.json: the AWS resource types that take `tags` (they have a
 * provider-computed `tags_all`, which is where default_tags land), read from the installed provider bindings
 * (@cdktf/provider-aws). Run after upgrading the provider: `npx tsx policies/tools/generate-taggable-types.ts`.
 * The tagging rule needs this list for synthesized input, which carries no provider schema.
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

export interface TaggableTypes {
  readonly provider: string;
  readonly providerVersion: string;
  readonly types: readonly string[];
}

/** Scans the provider bindings for resource classes with a tags_all attribute. */
export function scanTaggableTypes(): TaggableTypes {
  const pkgFile = require.resolve("@cdktf/provider-aws/package.json");
  const pkg = JSON.parse(readFileSync(pkgFile, "utf8")) as { version: string; cdktf?: { provider?: { version?: string } } };
  const lib = join(dirname(pkgFile), "lib");
  const types: string[] = [];
  for (const dir of readdirSync(lib)) {
    let source: string;
    try {
      source = readFileSync(join(lib, dir, "index.js"), "utf8");
    } catch {
      continue;
    }
    const type = /tfResourceType = "(aws_[a-z0-9_]+)"/.exec(source)?.[1];
    if (type && !dir.startsWith("data-") && source.includes("tags_all")) types.push(type);
  }
  return { provider: `@cdktf/provider-aws ${pkg.version}`, providerVersion: pkg.cdktf?.provider?.version ?? "unknown", types: types.sort() };
}

if (require.main === module) {
  const out = join(__dirname, "..", "data", "taggable-aws-types.json");
  writeFileSync(out, `${JSON.stringify(scanTaggableTypes(), null, 1)}\n`);
  process.stdout.write(`wrote ${out}\n`);
}
