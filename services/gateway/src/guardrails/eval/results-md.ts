/** Replaces one "## <heading>" section of bench/RESULTS.md (repo root), leaving the other sections alone. */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";

export const RESULTS_PATH = resolve(__dirname, "..", "..", "..", "..", "..", "bench", "RESULTS.md");

/**
 * Where the "## <heading>" section of a markdown document is: `start`, the index of its heading line; `bodyStart`,
 * just after that line; `end`, the start of the next "## " heading line or the document's length. Shared by
 * writeSection (replace) and the gateway benchmark's appendToSection (append).
 */
export function findSection(doc: string, heading: string): { readonly start: number; readonly bodyStart: number; readonly end: number } | undefined {
  const escaped = heading.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const start = doc.search(new RegExp(`^## ${escaped}[ \\t]*$`, "m"));
  if (start < 0) return undefined;
  const bodyStart = doc.indexOf("\n", start) + 1 || doc.length;
  const next = doc.slice(bodyStart).search(/^## /m);
  return { start, bodyStart, end: next < 0 ? doc.length : bodyStart + next };
}

export function writeSection(heading: string, body: string, path = RESULTS_PATH): void {
  const current = existsSync(path) ? readFileSync(path, "utf8") : "# Benchmark results\n";
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const at = findSection(current, heading);
  if (!at) {
    writeFileSync(path, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  writeFileSync(path, current.slice(0, at.start) + section + (at.end < current.length ? `\n${current.slice(at.end)}` : ""));
}

/** A markdown table. */
export function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const fmt = (v: string | number) => (typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  return [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`, ...rows.map((r) => `| ${r.map(fmt).join(" | ")} |`)].join("\n");
}
