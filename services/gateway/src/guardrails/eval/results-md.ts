/** Replaces one "## <heading>" section of bench/RESULTS.md (repo root), leaving the other sections alone. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const RESULTS_PATH = resolve(__dirname, "..", "..", "..", "..", "..", "bench", "RESULTS.md");

export function writeSection(heading: string, body: string, path = RESULTS_PATH): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const start = current.indexOf(`\n## ${heading}\n`);
  if (start < 0) {
    writeFileSync(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf("\n## ", start + 1);
  writeFileSync(path, current.slice(0, start + 1) + section + (next < 0 ? "" : `\n${current.slice(next + 1)}`));
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const fmt = (v: string | number) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(fmt).join(" | ")} |`)].join("\n");
}
