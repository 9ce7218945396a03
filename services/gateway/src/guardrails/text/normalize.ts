/**
 * Normalization for injection detection. An attacker hides "ignore previous instructions" behind fullwidth
 * letters, Cyrillic look-alikes, zero-width joiners, leetspeak ("1gn0r3"), letter spacing ("i g n o r e") or
 * base64. Each of these is undone here, producing the variants a detector scans (it keeps the highest score).
 * Every step is a single linear pass.
 */
import { foldConfusables } from "./confusables";
import { stripInvisible } from "./invisible";

const LEET: Readonly<Record<string, string>> = { "0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "@": "a", $: "s", "!": "i", "|": "l", "€": "e" };
const LEET_CHARS = /[0134578@$!|€]/g;
/** A leet character between two letters (or a letter and another leet char), e.g. "1gn0r3". */
const LEET_WORD = /(?<![\p{L}\p{N}])[\p{L}0134578@$!|€]*[0134578@$|€][\p{L}0134578@$!|€]*/gu;
/** Runs of single letters split by one separator: "i g n o r e", "i.g.n.o.r.e", "i-g-n-o-r-e". */
const SPACED = /(?<![\p{L}\p{N}])\p{L}(?:[ ._*\-\/]\p{L}(?![\p{L}\p{N}])){2,}/gu;
/** Base64 blobs long enough to hold an instruction. */
const BASE64 = /[A-Za-z0-9+/]{16,}={0,2}/g;
const COMBINING = /\p{M}+/gu;
const SPACE_RUNS = /\s+/g;

/** NFKC, invisible characters removed, look-alikes folded, diacritics kept (they matter in German/French). */
export function canonical(text: string, collapseWhitespace = true): string {
  const folded = foldConfusables(stripInvisible(text.normalize("NFKC")).text).toLowerCase();
  return collapseWhitespace ? folded.replace(SPACE_RUNS, " ") : folded;
}

/** Leetspeak undone inside words that mix letters and leet characters. */
export function unleet(text: string): string {
  return text.replace(LEET_WORD, (w) => (/\p{L}/u.test(w) ? w.replace(LEET_CHARS, (c) => LEET[c] ?? c) : w));
}

/** "i g n o r e" → "ignore". */
export function collapseSpacing(text: string): string {
  return text.replace(SPACED, (run) => run.replace(/[ ._*\-\/]/g, ""));
}

/** Accents stripped ("instrucciónes" → "instrucciones"), for languages written without them by attackers. */
export function stripMarks(text: string): string {
  return text.normalize("NFD").replace(COMBINING, "");
}

const PRINTABLE = /^[\x20-\x7E\t\r\n\u00A0-\u024F]*$/;

/** Decoded text of base64 blobs that decode to readable text (at most `maxBlobs`). */
export function decodeBase64Blobs(text: string, maxBlobs = 16): string[] {
  const out: string[] = [];
  BASE64.lastIndex = 0;
  for (let m = BASE64.exec(text); m !== null && out.length < maxBlobs; m = BASE64.exec(text)) {
    const blob = m[0];
    if (!/[a-z]/.test(blob) || !/[A-Z0-9]/.test(blob)) continue;
    const decoded = Buffer.from(blob, "base64").toString("utf8");
    if (decoded.length >= 8 && PRINTABLE.test(decoded) && /[a-z]{3,}/i.test(decoded) && decoded.includes(" ")) out.push(decoded);
  }
  return out;
}

/** All variants a detector should scan, deduplicated. The first is the canonical form. */
export function variants(text: string): string[] {
  const raw = canonical(text, false);
  const c = raw.replace(SPACE_RUNS, " ");
  const set = new Set<string>([c]);
  const u = unleet(c);
  set.add(u);
  // Letter spacing is undone before whitespace runs collapse: "i g n o r e   a l l" keeps its word gaps.
  if (/\p{L}[ ._*\-\/]\p{L}[ ._*\-\/]\p{L}(?![\p{L}\p{N}])/u.test(raw)) set.add(collapseSpacing(unleet(raw)).replace(SPACE_RUNS, " "));
  set.add(stripMarks(c));
  for (const d of decodeBase64Blobs(text)) set.add(canonical(d));
  return [...set];
}
