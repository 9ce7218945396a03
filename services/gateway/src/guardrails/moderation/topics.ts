/**
 * Topic deny-lists from config: each topic is a name and its words or phrases, matched case-insensitively as
 * whole words on the normalized text (so homoglyphs and zero-width tricks do not dodge it). One alternation of
 * escaped literals per policy, compiled once and cached; literal alternations match in linear time.
 */
import { canonical, canonicalOf } from "../text/normalize";
import type { Detector, Verdict } from "../types";
import type { ResolvedPolicy } from "../config";

const cache = new WeakMap<ResolvedPolicy["topics"]["deny"], { re: RegExp; topicOf: Map<string, string> }>();
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

function compile(deny: ResolvedPolicy["topics"]["deny"]): { re: RegExp; topicOf: Map<string, string> } {
  let c = cache.get(deny);
  if (!c) {
    const topicOf = new Map<string, string>();
    for (const t of deny) for (const term of t.terms) topicOf.set(canonical(term), t.name);
    const alts = [...topicOf.keys()].sort((a, b) => b.length - a.length).map(escape);
    c = { re: new RegExp(`(?<![\\p{L}\\p{N}])(?:${alts.join("|")})(?![\\p{L}\\p{N}])`, "gu"), topicOf };
    cache.set(deny, c);
  }
  return c;
}

export const topicsDetector: Detector = {
  id: "topics",
  run({ text, policy }): Verdict {
    const deny = policy.topics.deny;
    if (deny.length === 0 || text.length === 0) return { action: "allow", findings: [], explanation: "no denied topics configured" };
    const { re, topicOf } = compile(deny);
    const hits = new Set<string>();
    re.lastIndex = 0;
    for (const m of canonicalOf(text).matchAll(re)) hits.add(topicOf.get(m[0]) ?? "denied");
    if (hits.size === 0) return { action: "allow", findings: [], explanation: "no denied topic" };
    const names = [...hits];
    const findings = names.map((n) => ({ guard: "topics", type: n, score: 1 }));
    const explanation = `denied topic(s): ${names.join(", ")}`;
    if (policy.topics.action === "block") return { action: "block", findings, explanation, block: { code: "content_policy", message: `The content was blocked by the content policy (topic: ${names.join(", ")}).` } };
    return { action: "allow", findings, explanation };
  },
};
