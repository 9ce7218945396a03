/** Replaces spans by `<ENTITY_TYPE>` placeholders. Overlapping spans merge; the earliest-starting type names it. */
import type { Redaction } from "../types";

export function mergeRedactions(spans: readonly Redaction[]): Redaction[] {
  const sorted = [...spans].filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || b.end - a.end);
  const out: Redaction[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) out[out.length - 1] = { ...last, end: Math.max(last.end, s.end) };
    else out.push(s);
  }
  return out;
}

export function redact(text: string, spans: readonly Redaction[]): string {
  let out = "";
  let pos = 0;
  for (const s of mergeRedactions(spans)) {
    out += text.slice(pos, s.start) + `<${s.type}>`;
    pos = s.end;
  }
  return out + text.slice(pos);
}
