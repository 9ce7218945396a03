/**
 * PERSON: a lexicon-and-context recognizer. The name lists come from compromise's maintained lexicon (~3,200
 * first names, ~900 surnames, honorifics); its full NLP pass (`nlp(text).people()`) measured ~100 ms per KB
 * here, two orders over our budget, so we scan tokens ourselves in one linear pass:
 *  - a known first name (capitalized 0.6, lower-case 0.3), extended by following surname-like tokens
 *    (capitalized, or a known surname, or a particle such as "van der") → up to 0.8;
 *  - an honorific ("Mr.", "Dr.", "Frau") followed by a capitalized word → 0.7;
 *  - a capitalized known surname alone → 0.45;
 *  - context words ("name", "named", "called", "dear", "Mr") lift any of these (see context.ts); after
 *    "my name is" / "named" / "called" even an unknown capitalized or lower-case word counts (0.3 + boost).
 * Precision and recall on the shared set are in bench/RESULTS.md; it misses unknown names without context and
 * tags some capitalized words after a first name, which is where a TEI NER model would do better.
 */
import nlp from "compromise";
import type { Recognizer, PiiCandidate } from "./recognizer";

type Lexicon = Record<string, string | string[]>;
const lexicon: Lexicon = (nlp as unknown as { model(): { one: { lexicon: Lexicon } } }).model().one.lexicon;

const FIRST = new Set<string>();
const LAST = new Set<string>();
const COMMON = new Set<string>();
for (const [word, tag] of Object.entries(lexicon)) {
  const tags = typeof tag === "string" ? [tag] : tag;
  if (tags.some((t) => t === "FirstName" || t === "MaleName" || t === "FemaleName" || t === "Person")) FIRST.add(word);
  else if (tags.includes("LastName")) LAST.add(word);
  else COMMON.add(word);
}
const HONORIFICS = new Set(["mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "madam", "dame", "lord", "lady", "herr", "frau", "mme", "mlle", "monsieur", "madame", "sr", "sra", "srta", "señor", "señora", "don", "doña"]);
const PARTICLES = new Set(["van", "der", "den", "de", "von", "da", "di", "del", "della", "la", "le", "bin", "al", "dos", "du", "ter", "ten", "y", "st"]);
const ORG_SUFFIX = new Set([
  "ltd", "inc", "corp", "llc", "gmbh", "plc", "co", "company", "group", "bank", "university", "street", "st", "road", "avenue",
  // Places: "Solomon Islands", "Costa Rica", "Grote Baan", "Dora Creek".
  "islands", "island", "republic", "rica", "baan", "creek", "lane", "drive", "boulevard", "square", "park", "bay", "beach", "valley", "hills", "county", "city", "river", "lake", "mountains", "heights",
]);
/** Words that start a street or place name: the capitalized words after them are not a person. */
const PLACE_PREFIX = new Set(["rue", "via", "calle", "avenida", "strada", "piazza", "trg", "ulica", "rua", "largo", "plaza", "viale", "corso", "chemin", "allée", "boulevard", "place", "san", "santa", "são", "saint", "st"]);
/** Dutch/German/Scandinavian street words glued to the name ("Schaarsteinweg", "Maetsuyckerstraat"). */
const STREET_ENDING = /(?:straat|weg|laan|plaats|plein|gasse|strasse|straße|allee|gade|vej|gatan|vägen|kade|dijk|steeg)$/;
/** Verbs that make a capitalized sentence-initial word a person ("Kelvin is from …", "Roksana spent a year …"). */
const PERSON_VERB = new Set(["said", "says", "told", "asked", "shouted", "spent", "lives", "lived", "works", "worked", "wrote", "called", "went", "wants", "needs", "thinks", "loves", "likes", "hates"]);
/** Phrases after which the next word is a name whatever it looks like. */
const INTRODUCERS = [/\bname(?:\s+is|:|'s)?\s*$/i, /\bnamed\s*$/i, /\bcalled\s*$/i, /\bi(?:'m| am)\s*$/i, /\bheiße\s*$/i, /\bm'appelle\s*$/i, /\bme llamo\s*$/i];


interface Tok {
  readonly start: number;
  readonly end: number;
  readonly lower: string;
  readonly cap: boolean;
}

const isCap = (w: string): boolean => {
  const code = w.charCodeAt(0);
  // ASCII fast path (the common case), same answers as the general test below.
  if (code >= 97 && code <= 122) return false;
  if (!(code >= 65 && code <= 90)) {
    const c = w.charAt(0);
    if (c === c.toLowerCase()) return false;
  }
  // All capitals (two letters or more) is an acronym, not a name: "QA", "PR", "SSN", "NASA" (issue 16: "Say hello
  // to the QA team" became "the <PERSON> team").
  return !(w.length > 1 && w === w.toUpperCase());
};

/** A token minus a trailing possessive "'s" / "’s". */
function stripPossessive(w: string): string {
  const n = w.length;
  if (n < 2 || w.charCodeAt(n - 1) !== 115) return w; // "s"
  const q = w.charCodeAt(n - 2);
  return q === 39 || q === 0x2019 ? w.slice(0, n - 2) : w;
}

/** Sticky single-code-point tests for the non-ASCII case of the token scan. */
const LETTER = /\p{L}/uy;
const TOKEN_CHAR = /[\p{L}\p{M}'’\-]/uy;

/** Length (1 or 2 code units) of the code point at `i` if `re` matches it, else 0. */
function matchAt(re: RegExp, text: string, i: number): number {
  re.lastIndex = i;
  return re.test(text) ? re.lastIndex - i : 0;
}

/**
 * The tokens TOKEN would find (a letter, then letters, marks, apostrophes and hyphens), scanned by hand with an
 * ASCII fast path: TOKEN.exec allocated a match array per token, a visible share of a check's garbage.
 */
function tokens(text: string): Tok[] {
  const out: Tok[] = [];
  const n = text.length;
  for (let i = 0; i < n; ) {
    const c = text.charCodeAt(i);
    const first = c < 128 ? ((c | 32) >= 97 && (c | 32) <= 122 ? 1 : 0) : matchAt(LETTER, text, i);
    if (first === 0) {
      // Step over a whole surrogate pair, as a /u regex does.
      i += c >= 0xd800 && c <= 0xdbff && i + 1 < n && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00 ? 2 : 1;
      continue;
    }
    const start = i;
    i += first;
    while (i < n) {
      const d = text.charCodeAt(i);
      const step = d < 128 ? ((d | 32) >= 97 && (d | 32) <= 122) || d === 39 || d === 45 ? 1 : 0 : matchAt(TOKEN_CHAR, text, i);
      if (step === 0) break;
      i += step;
    }
    const w = stripPossessive(text.slice(start, i));
    out.push({ start, end: start + w.length, lower: w.toLowerCase(), cap: isCap(w) });
  }
  return out;
}

/** Only spaces (or a single ". " after an initial/honorific) between two tokens. */
function adjacent(text: string, a: Tok, b: Tok): boolean {
  const gap = text.slice(a.end, b.start);
  return gap === " " || gap === ". " || gap === "." || gap === "-";
}

function surnameLike(t: Tok): boolean {
  if (ORG_SUFFIX.has(t.lower) || HONORIFICS.has(t.lower)) return false;
  if (LAST.has(t.lower)) return true;
  return t.cap && !COMMON.has(t.lower);
}

function introduced(text: string, t: Tok): boolean {
  const before = text.slice(Math.max(0, t.start - 20), t.start);
  return INTRODUCERS.some((r) => r.test(before));
}

/**
 * A character that glues a word into an identifier: a digit, "_" or "/". Not "\\": escaped quotes in text
 * ("I\\'m Mary\\'s") put one right after names.
 */
function gluesIdentifier(code: number): boolean {
  return (code >= 48 && code <= 57) || code === 95 || code === 47;
}

/**
 * The token is part of an identifier, not prose: it ends in a hyphen (the scan stopped at a digit: "Llama-" of
 * "Llama-3", "Claude-" of "Claude-3"), or touches a digit, "_" or "/" ("70B-Instruct", "Redis_Client",
 * "meta-llama/Meta"). Model, package and file names fill an LLM platform's answers; names in prose are not glued
 * to digits or paths.
 */
function inIdentifier(text: string, t: Tok): boolean {
  if (text.charCodeAt(t.end - 1) === 45) return true;
  return (t.start > 0 && gluesIdentifier(text.charCodeAt(t.start - 1))) || (t.end < text.length && gluesIdentifier(text.charCodeAt(t.end)));
}

const LIST_GAP = /^(?:, ?| and | or | & |, and )$/;

/** A neighbour (through ", " / " and ") is a known first name or surname. */
function coordinatedWithName(text: string, toks: readonly Tok[], i: number): boolean {
  const t = toks[i] as Tok;
  for (const k of [i - 1, i + 1]) {
    const n = toks[k];
    if (!n || !n.cap) continue;
    const gap = k < i ? text.slice(n.end, t.start) : text.slice(t.end, n.start);
    if (LIST_GAP.test(gap) && (FIRST.has(n.lower) || LAST.has(n.lower))) return true;
  }
  return false;
}

export const personRecognizer: Recognizer = {
  type: "PERSON",
  context: ["name", "named", "called", "dear", "mr", "mrs", "ms", "dr", "hi", "hello", "thanks", "regards", "tell", "ask", "met", "says", "said", "wife", "husband", "son", "daughter", "partner", "friend", "starring", "directed", "says", "shouted", "given", "contacting", "user", "customer", "patient"],
  find(text) {
    const toks = tokens(text);
    const out: PiiCandidate[] = [];
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i] as Tok;
      if (t.lower.includes("'") || t.lower.includes("’")) continue; // contractions: I'm, O'Neil is rarer than don't
      if (inIdentifier(text, t)) continue;
      let score = 0;
      let j = i;
      let first = i;
      const after = toks[i + 1];
      if (PLACE_PREFIX.has(t.lower) && t.cap && after && (after.cap || PARTICLES.has(after.lower)) && adjacent(text, t, after)) {
        // "Rue de la Sarthe", "Via Verbano", "San Andrés": a place, skip its capitalized words.
        let k = i + 1;
        while (toks[k + 1] && adjacent(text, toks[k] as Tok, toks[k + 1] as Tok) && ((toks[k + 1] as Tok).cap || PARTICLES.has((toks[k + 1] as Tok).lower))) k++;
        i = k;
        continue;
      }
      if (t.cap && STREET_ENDING.test(t.lower)) continue;
      if (HONORIFICS.has(t.lower) && after && adjacent(text, t, after) && (after.cap || FIRST.has(after.lower) || LAST.has(after.lower)) && !ORG_SUFFIX.has(after.lower)) {
        // "Mr. Ford", and lower-case "mr. martin" / "dr. hurst" (chat text).
        score = after.cap ? 0.7 : 0.6;
        j = i + 1;
        first = i + 1;
      } else if (FIRST.has(t.lower) && (t.cap || !COMMON.has(t.lower))) {
        score = t.cap ? 0.6 : 0.3;
      } else if (t.cap && LAST.has(t.lower)) {
        score = 0.45;
      } else if ((t.cap || !COMMON.has(t.lower)) && !ORG_SUFFIX.has(t.lower) && introduced(text, t)) {
        score = 0.3;
      } else if (t.cap && !COMMON.has(t.lower) && !ORG_SUFFIX.has(t.lower) && toks[i + 1] && PERSON_VERB.has((toks[i + 1] as Tok).lower) && adjacent(text, t, toks[i + 1] as Tok) && (i === 0 || /[.!?:\n]\s*$/.test(text.slice(Math.max(0, t.start - 3), t.start)))) {
        // A capitalized unknown word starting a sentence, followed by a person's verb: "Kelvin is from …".
        score = 0.55;
      } else if (t.cap && !COMMON.has(t.lower) && coordinatedWithName(text, toks, i)) {
        // "Kovalev, Lee and Phillips": an unknown capitalized word listed beside a known name.
        score = 0.5;
      } else if (t.cap && !COMMON.has(t.lower) && i > 0 && !/[.!?:\n]\s*$/.test(text.slice(Math.max(0, t.start - 3), t.start))) {
        // Capitalized mid-sentence and not a dictionary word: weak alone, a context word ("says", "dear") lifts it.
        score = 0.2;
      } else continue;
      // Extend with surname-like tokens and particles ("Donald van der Voet").
      for (let k = j + 1; k < toks.length && k <= j + 3; k++) {
        const prev = toks[k - 1] as Tok;
        const next = toks[k] as Tok;
        if (!adjacent(text, prev, next)) break;
        if (PARTICLES.has(next.lower) && toks[k + 1] && adjacent(text, next, toks[k + 1] as Tok)) continue;
        const lowerOk = !t.cap && !next.cap && !COMMON.has(next.lower) && !FIRST.has(next.lower) && next.lower.length > 2;
        if (!(next.cap ? surnameLike(next) : lowerOk || LAST.has(next.lower))) break;
        j = k;
      }
      // Trailing particles are not part of the name.
      while (j > first && PARTICLES.has((toks[j] as Tok).lower)) j--;
      const next = toks[j + 1];
      if (next && ORG_SUFFIX.has(next.lower) && adjacent(text, toks[j] as Tok, next)) {
        i = j + 1;
        continue;
      }
      if (j > first && first === i) score = Math.min(0.8, score + 0.2);
      out.push({ type: "PERSON", start: (toks[first] as Tok).start, end: (toks[j] as Tok).end, score });
      i = j;
    }
    return out;
  },
};
