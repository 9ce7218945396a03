/**
 * Normalization for injection detection. An attacker hides "ignore previous instructions" behind fullwidth
 * letters, Cyrillic look-alikes, zero-width joiners, leetspeak ("1gn0r3"), letter spacing ("i g n o r e") or
 * base64 or ROT13. Each of these is undone here, producing the variants a detector scans (it keeps the highest score).
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
/** Base64 alphabet (A–Z, a–z, 0–9, "+", "/"); runs of 16 or more may hold an instruction. */
function isBase64Char(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || c === 43 || c === 47;
}
const COMBINING = /\p{M}+/gu;
const SPACE_RUNS = /\s+/g;

/** NFKC, invisible characters removed, look-alikes folded, diacritics kept (they matter in German/French). */
export function canonical(text: string, collapse = true): string {
  const folded = foldConfusables(stripInvisible(text.normalize("NFKC")).text).toLowerCase();
  return collapse ? collapseWhitespace(folded) : folded;
}

/**
 * A letter next to a leet character. A LEET_WORD match that changes anything is a run of word characters
 * holding a letter and a non-letter leet character, so somewhere in it a letter touches a non-letter word
 * character, and every non-letter word character is a leet character: without such a pair, unleet is the
 * identity and the (costlier, look-behind) LEET_WORD scan is skipped.
 */
const LEET_NEAR_LETTER = /\p{L}[0134578@$!|€]|[0134578@$!|€]\p{L}/u;

/** Leetspeak undone inside words that mix letters and leet characters. */
export function unleet(text: string): string {
  if (!LEET_NEAR_LETTER.test(text)) return text;
  return text.replace(LEET_WORD, (w) => (/\p{L}/u.test(w) ? w.replace(LEET_CHARS, (c) => LEET[c] ?? c) : w));
}

/** "i g n o r e" → "ignore". */
export function collapseSpacing(text: string): string {
  return text.replace(SPACED, (run) => run.replace(/[ ._*\-\/]/g, ""));
}

/** Accents stripped ("instrucciónes" → "instrucciones"), for languages written without them by attackers. */
export function stripMarks(text: string): string {
  // Nothing below U+00C0 decomposes under NFD or is a combining mark: pure ASCII/Latin-1-symbol text is unchanged.
  if (!BEYOND_LATIN1_SYMBOLS.test(text)) return text;
  return text.normalize("NFD").replace(COMBINING, "");
}

const BEYOND_LATIN1_SYMBOLS = /[^\x00-\xBF]/;

const PRINTABLE = /^[\x20-\x7E\t\r\n\u00A0-\u024F]*$/;

/** Decoded text of base64 blobs that decode to readable text (at most `maxBlobs`). */
export function decodeBase64Blobs(text: string, maxBlobs = 16): string[] {
  const out: string[] = [];
  // Hand-rolled run scan, equal to BASE64's leftmost-greedy matches (maximal runs of the alphabet of length
  // ≥ 16, then up to two "="): the regex retries at every position of every shorter word, this is one pass.
  for (let i = 0; i < text.length && out.length < maxBlobs; ) {
    if (!isBase64Char(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && isBase64Char(text.charCodeAt(i))) i++;
    if (i - start < 16) continue;
    let end = i;
    while (end < text.length && end - i < 2 && text.charCodeAt(end) === 61) end++;
    const blob = text.slice(start, end);
    i = end;
    if (!/[a-z]/.test(blob) || !/[A-Z0-9]/.test(blob)) continue;
    const decoded = Buffer.from(blob, "base64").toString("utf8");
    if (decoded.length >= 8 && PRINTABLE.test(decoded) && /[a-z]{3,}/i.test(decoded) && decoded.includes(" ")) out.push(decoded);
  }
  return out;
}

/** ROT13 of the Latin letters a–z (the text is already lower-cased); everything else unchanged. One pass. */
export function rot13(text: string): string {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out += c >= 97 && c <= 122 ? String.fromCharCode(((c - 97 + 13) % 26) + 97) : text[i];
  }
  return out;
}

/**
 * ROT13 is worth decoding only when the text holds an encoded injection stem ("vtaber" = ignore, "vafgehpgvbaf"
 * = instructions, "cerivbhf" = previous, "cebzcg" = prompt, ...) or names the cipher: one literal-alternation test,
 * so ordinary text never pays for a second rule scan.
 */
const ROT13_HINT = /vtaber|qvfertneq|sbetrg|vafgehpg|cerivbhf|cebzcg|flfgrz|wnvyoernx|cergraq|ercrng|ertneqyrff|bireevqr|rot-?13/;

/** All variants a detector should scan, deduplicated. The first is the canonical form. */
export function variants(text: string): string[] {
  const raw = canonical(text, false);
  const c = collapseWhitespace(raw);
  // An array, not a Set: a Set hashes each whole text (a visible cost per KB); there are at most a few
  // variants, and most are the very same string object (compared by identity first).
  const out: string[] = [c];
  const add = (v: string): void => {
    if (!out.includes(v)) out.push(v);
  };
  const u = unleet(c);
  const memo = views(text);
  memo.canonical ??= c;
  memo.modelText ??= u;
  add(u);
  // Letter spacing is undone before whitespace runs collapse: "i g n o r e   a l l" keeps its word gaps.
  if (/\p{L}[ ._*\-\/]\p{L}[ ._*\-\/]\p{L}(?![\p{L}\p{N}])/u.test(raw)) add(collapseWhitespace(collapseSpacing(unleet(raw))));
  add(stripMarks(c));
  if (ROT13_HINT.test(c)) add(rot13(c));
  for (const d of decodeBase64Blobs(text)) add(canonical(d));
  return out;
}

/** Whitespace other than a lone " " (a run, a tab, a newline, NBSP, ...). */
const NOT_SINGLE_SPACE = /\s\s|[^\S ]/;

/** Whitespace runs → one space; without any to change, the same string (no copy). */
function collapseWhitespace(text: string): string {
  return NOT_SINGLE_SPACE.test(text) ? text.replace(SPACE_RUNS, " ") : text;
}

/**
 * Normalize once per text, share across detectors: injection (variants), both n-gram models (canonical +
 * unleet) and topics (canonical) read the same derived strings. A ring of the last RING texts scanned (compared
 * by value, so the same message content scanned again — input, retrieval, the streamed answer's end — also
 * hits) holds them; RING small, so at most a few texts' worth of memory, evicted in scan order.
 */
interface Views {
  canonical?: string;
  modelText?: string;
  variants?: readonly string[];
}
const RING = 8;
const ringKeys: (string | undefined)[] = new Array<string | undefined>(RING).fill(undefined);
const ringViews: Views[] = Array.from({ length: RING }, () => ({}));
let ringNext = 0;

function views(text: string): Views {
  for (let i = 0; i < RING; i++) if (ringKeys[i] === text) return ringViews[i] as Views;
  const v: Views = {};
  ringKeys[ringNext] = text;
  ringViews[ringNext] = v;
  ringNext = (ringNext + 1) % RING;
  return v;
}

/** canonical(text), shared. */
export function canonicalOf(text: string): string {
  const v = views(text);
  return (v.canonical ??= canonical(text));
}

/** unleet(canonical(text)): what the n-gram models featurize, shared. */
export function modelTextOf(text: string): string {
  const v = views(text);
  return (v.modelText ??= unleet(v.canonical ??= canonical(text)));
}

/** variants(text), shared (callers must not mutate it). */
export function variantsOf(text: string): readonly string[] {
  const v = views(text);
  return (v.variants ??= variants(text));
}
