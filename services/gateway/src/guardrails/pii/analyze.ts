/**
 * Runs every PII recognizer over a text (with invisible characters removed, positions mapped back), applies
 * context words, drops findings under their entity's threshold and resolves overlaps: the more specific
 * recognizer wins (a card or SSN is also phone-shaped; an IPv4 is also a possible phone number).
 */
import type { PiiEntityType, ResolvedPolicy } from "../config";
import { stripInvisible, toOriginal } from "../text/invisible";
import { withContext } from "./context";
import { creditCardRecognizer } from "./credit-card";
import { emailRecognizer } from "./email";
import { ipAddressRecognizer } from "./ip-address";
import { personRecognizer } from "./person";
import { phoneRecognizer } from "./phone";
import type { PiiCandidate, Recognizer } from "./recognizer";
import { usSsnRecognizer } from "./us-ssn";

/** In priority order for overlaps. Adding an entity type is adding a recognizer file and a line here. */
export const RECOGNIZERS: readonly Recognizer[] = [
  emailRecognizer,
  creditCardRecognizer,
  usSsnRecognizer,
  ipAddressRecognizer,
  phoneRecognizer,
  personRecognizer,
];
const PRIORITY = new Map<PiiEntityType, number>(RECOGNIZERS.map((r, i) => [r.type, i]));

/** PII entities found in `text`, positions in the original `text`, sorted by start. */
export function analyzePii(text: string, policy: ResolvedPolicy, types?: ReadonlySet<PiiEntityType>): PiiCandidate[] {
  if (text.length === 0) return [];
  const stripped = stripInvisible(text);
  const found: PiiCandidate[] = [];
  let lower: string | undefined;
  for (const r of RECOGNIZERS) {
    if (types && !types.has(r.type)) continue;
    const threshold = policy.pii.entities[r.type].threshold;
    const candidates = r.find(stripped.text, policy);
    if (candidates.length === 0) continue;
    // A context word can only be found in a window if it occurs somewhere in the lower-cased text (none holds
    // a Greek sigma, the one context-dependent lower-casing): when none does, skip the per-candidate window
    // scans. Exact, and keeps adversarial texts with thousands of weak candidates linear and cheap.
    lower ??= stripped.text.toLowerCase();
    const haystack = lower;
    // (A phrase could also form across the window's join of before + " " + after: then no shortcut.)
    const anyContext = r.context.some((w) => w.includes(" ") || haystack.includes(w));
    for (const c of candidates) {
      const scored = anyContext ? withContext(stripped.text, c, r.context) : c;
      if (scored.score >= threshold) found.push(scored);
    }
  }
  found.sort((a, b) => (PRIORITY.get(a.type) ?? 0) - (PRIORITY.get(b.type) ?? 0) || b.score - a.score);
  // An occupancy map keeps overlap resolution linear in the text (checking all kept pairs is quadratic).
  const taken = new Uint8Array(stripped.text.length);
  const kept: PiiCandidate[] = [];
  for (const c of found) {
    let free = true;
    for (let i = c.start; i < c.end && free; i++) free = taken[i] === 0;
    if (!free) continue;
    taken.fill(1, c.start, c.end);
    kept.push(c);
  }
  return kept
    .map((c) => ({ ...c, ...toOriginal(stripped, c.start, c.end) }))
    .sort((a, b) => a.start - b.start);
}
