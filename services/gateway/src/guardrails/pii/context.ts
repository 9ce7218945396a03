/**
 * Context enhancement, as Presidio's LemmaContextAwareEnhancer does it: a context word of the entity type in
 * the few words around a candidate raises its score by a fixed boost (to at least a floor), so a bare
 * "785 8949" stays weak but "call 785 8949" counts.
 */
import type { PiiCandidate } from "./recognizer";

export const CONTEXT_BOOST = 0.35;
export const CONTEXT_FLOOR = 0.4;
/** Characters looked at before and after a candidate. */
const BEFORE = 48;
const AFTER = 24;

const WORD = /\p{L}+/gu;
const sets = new WeakMap<readonly string[], { words: Set<string>; phrases: string[] }>();

function hasContext(window: string, contextWords: readonly string[]): boolean {
  let c = sets.get(contextWords);
  if (!c) {
    c = { words: new Set(contextWords.filter((w) => !w.includes(" "))), phrases: contextWords.filter((w) => w.includes(" ")) };
    sets.set(contextWords, c);
  }
  const lower = window.toLowerCase();
  WORD.lastIndex = 0;
  for (let m = WORD.exec(lower); m !== null; m = WORD.exec(lower)) if (c.words.has(m[0])) return true;
  return c.phrases.some((p) => lower.includes(p));
}

export function withContext(text: string, c: PiiCandidate, contextWords: readonly string[]): PiiCandidate {
  if (contextWords.length === 0 || c.score >= 1) return c;
  const window = `${text.slice(Math.max(0, c.start - BEFORE), c.start)} ${text.slice(c.end, c.end + AFTER)}`;
  if (!hasContext(window, contextWords)) return c;
  return { ...c, score: Math.min(1, Math.max(CONTEXT_FLOOR, c.score + CONTEXT_BOOST)) };
}
