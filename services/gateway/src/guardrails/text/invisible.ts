/**
 * Invisible characters: zero-width characters, bidi controls, soft hyphens and other format characters that
 * render as nothing but split a word (or an email address) for a naive matcher. Detectors scan the text with
 * them removed; `map` turns a position in the stripped text back into one in the original, so redaction still
 * applies to the original text.
 */

/** Zero-width (200B–200F incl. LRM/RLM), bidi embeddings/overrides/isolates, word joiner..invisible plus,
 * BOM/ZWNBSP, soft hyphen, Mongolian vowel separator, combining grapheme joiner, Hangul fillers, tag chars. */
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|\uDB40[\uDC00-\uDC7F]/g;

export interface Stripped {
  readonly text: string;
  /** Original offset of each stripped-text offset (length text.length + 1). Undefined when nothing was removed. */
  readonly map?: Int32Array;
}

export function hasInvisible(text: string): boolean {
  INVISIBLE.lastIndex = 0;
  return INVISIBLE.test(text);
}

/** Removes invisible characters, keeping an offset map when any were removed. Linear time. */
export function stripInvisible(text: string): Stripped {
  if (!hasInvisible(text)) return { text };
  const map: number[] = [];
  let out = "";
  let last = 0;
  INVISIBLE.lastIndex = 0;
  for (let m = INVISIBLE.exec(text); m !== null; m = INVISIBLE.exec(text)) {
    for (let i = last; i < m.index; i++) map.push(i);
    out += text.slice(last, m.index);
    last = m.index + m[0].length;
  }
  for (let i = last; i < text.length; i++) map.push(i);
  out += text.slice(last);
  map.push(text.length);
  return { text: out, map: Int32Array.from(map) };
}

/** Maps a [start, end) span of the stripped text back to the original. */
export function toOriginal(s: Stripped, start: number, end: number): { start: number; end: number } {
  if (!s.map) return { start, end };
  const a = s.map[start] ?? start;
  // end is exclusive: map the last included character and step past it.
  const b = end > start ? (s.map[end - 1] ?? end - 1) + 1 : a;
  return { start: a, end: b };
}
