/**
 * Profanity: the `obscenity` library's English dataset with its recommended transformers (which undo
 * leetspeak, repeated letters and confusable characters). Action from `profanity.action`: allow records it,
 * redact masks the words as `<PROFANITY>`, block refuses with `content_policy`.
 *
 * Speed (docs/decisions/0045-guardrails-hot-path.md): obscenity's `hasMatch` transforms the text twice (blacklist
 * and whitelist transformer sets, one string concatenation and one array push per character) and runs ~70
 * regexes one after another — ~0.15 ms per KB, the largest single cost of the input check. Almost every text
 * is clean, so we first run a pre-filter that can only say "certainly clean" or "maybe":
 *  - the text is transformed ONCE with the library's own blacklist transformers (same transformer objects,
 *    same order, same code-point iteration) into a preallocated buffer, the pure transformers memoized per
 *    code point;
 *  - the library's own compiled term regexes, joined into one alternation, are tested on it.
 * An alternation matches somewhere iff one of its terms matches somewhere, and the whitelist only ever removes
 * matches, so "no match" here is exactly the library's "no match". On "maybe" the library decides (and finds
 * the spans). Hand-rolled because obscenity exposes no cheaper entry point; if its internals ever change shape
 * the pre-filter switches itself off and every text goes to the library.
 */
import {
  RegExpMatcher,
  englishDataset,
  englishRecommendedBlacklistMatcherTransformers,
  englishRecommendedTransformers,
  type StatefulTransformer,
  type TransformerContainer,
} from "obscenity";
import type { Detector, Verdict } from "../types";

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

/** The matcher's compiled term regexes (a private field: checked, never trusted blindly). */
function combinedTermRegex(): RegExp | undefined {
  const terms = (matcher as unknown as { blacklistedTerms?: unknown }).blacklistedTerms;
  if (!Array.isArray(terms) || terms.length === 0) return undefined;
  const sources: string[] = [];
  for (const t of terms as unknown[]) {
    const re = (t as { regExp?: unknown } | null)?.regExp;
    if (!(re instanceof RegExp) || re.flags !== "gs") return undefined;
    sources.push(`(?:${re.source})`);
  }
  return new RegExp(sources.join("|"), "s");
}

const COMBINED = combinedTermRegex();
const PIPELINE: readonly TransformerContainer[] = englishRecommendedBlacklistMatcherTransformers;
/** The matcher must have been built from exactly these transformers for the pre-filter to be exact. */
const SAME_TRANSFORMERS = englishRecommendedTransformers.blacklistMatcherTransformers === PIPELINE;

/** Per-code-point results of the leading pure (stateless) transformers; -1 = dropped, -2 = not computed. */
const leading = PIPELINE.findIndex((t) => t.type !== 0) < 0 ? PIPELINE.length : PIPELINE.findIndex((t) => t.type !== 0);
const memo = new Int32Array(0x10000).fill(-2);
const stateful: (StatefulTransformer | undefined)[] = PIPELINE.map((t) => (t.type === 1 ? t.factory() : undefined));

function pure(cp: number): number {
  if (cp < 0x10000) {
    const m = memo[cp] as number;
    if (m !== -2) return m;
  }
  let c: number | undefined = cp;
  for (let i = 0; i < leading && c !== undefined; i++) c = (PIPELINE[i] as { transform(c: number): number | undefined }).transform(c);
  const r = c === undefined ? -1 : c;
  if (cp < 0x10000) memo[cp] = r;
  return r;
}

let buffer = new Uint16Array(4096);
const utf16 = new TextDecoder("utf-16le");

/** The text as obscenity's blacklist matcher sees it (same transformers, code point by code point). */
export function blacklistView(text: string): string {
  if (buffer.length < text.length * 2) buffer = new Uint16Array(text.length * 2);
  let n = 0;
  for (const s of stateful) s?.reset();
  for (let i = 0; i < text.length; i++) {
    let cp = text.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = (cp - 0xd800) * 0x400 + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    let c: number | undefined = pure(cp);
    if (c < 0) continue;
    for (let k = leading; k < PIPELINE.length && c !== undefined; k++) {
      const t = PIPELINE[k] as TransformerContainer;
      c = t.type === 0 ? t.transform(c) : (stateful[k] as StatefulTransformer).transform(c);
    }
    if (c === undefined) continue;
    if (c < 0x10000) buffer[n++] = c;
    else {
      buffer[n++] = 0xd800 + ((c - 0x10000) >> 10);
      buffer[n++] = 0xdc00 + ((c - 0x10000) & 0x3ff);
    }
  }
  for (const s of stateful) s?.reset();
  return utf16.decode(buffer.subarray(0, n));
}

/** True when the text certainly holds no profanity (the library is not consulted); false = ask the library. */
export function certainlyClean(text: string): boolean {
  if (!COMBINED || !SAME_TRANSFORMERS) return false;
  return !COMBINED.test(blacklistView(text));
}

export function hasProfanity(text: string): boolean {
  return text.length > 0 && !certainlyClean(text) && matcher.hasMatch(text);
}

export const profanityDetector: Detector = {
  id: "profanity",
  run({ text, policy }): Verdict {
    if (!hasProfanity(text)) return { action: "allow", findings: [], explanation: "no profanity" };
    const matches = matcher.getAllMatches(text, true);
    const findings = matches.map((m) => ({ guard: "profanity", type: "profanity", score: 1, start: m.startIndex, end: m.endIndex + 1 }));
    const action = policy.profanity.action;
    const explanation = `${matches.length} profane word(s)`;
    if (action === "block") return { action, findings, explanation, block: { code: "content_policy", message: "The content was blocked by the content policy (profanity)." } };
    if (action === "redact") return { action, findings, explanation, redactions: findings.map((f) => ({ start: f.start, end: f.end, type: "PROFANITY" })) };
    return { action: "allow", findings, explanation };
  },
};
