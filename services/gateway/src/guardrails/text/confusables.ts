/**
 * Homoglyph folding: letters from other scripts (Cyrillic, Greek, Armenian, ...) and symbols that look like
 * Latin ones, folded to ASCII so "іgnоrе" (Cyrillic і, о, е) reads as "ignore". NFKC (applied first) already
 * folds fullwidth, mathematical-alphanumeric and circled letters; this covers what NFKC leaves.
 *
 * Hand-rolled: a subset of Unicode's confusables.txt (UTS #39) for the Latin letters — no maintained npm package
 * is installed, and the whole table (6,000+ entries, many multi-character) is far more than injection needs.
 */
const PAIRS: ReadonlyArray<readonly [string, string]> = [
  // Cyrillic
  ["а", "a"], ["в", "b"], ["с", "c"], ["ԁ", "d"], ["е", "e"], ["ё", "e"], ["һ", "h"], ["і", "i"], ["ї", "i"], ["ј", "j"],
  ["к", "k"], ["ӏ", "l"], ["м", "m"], ["н", "h"], ["о", "o"], ["р", "p"], ["ԛ", "q"], ["г", "r"], ["ѕ", "s"], ["т", "t"],
  ["ц", "u"], ["ѵ", "v"], ["ԝ", "w"], ["х", "x"], ["у", "y"], ["ү", "y"], ["з", "3"], ["ь", "b"],
  ["А", "a"], ["В", "b"], ["С", "c"], ["Е", "e"], ["Н", "h"], ["І", "i"], ["Ј", "j"], ["К", "k"], ["М", "m"], ["О", "o"],
  ["Р", "p"], ["Ѕ", "s"], ["Т", "t"], ["Х", "x"], ["У", "y"], ["Ү", "y"], ["Ԛ", "q"], ["Ԝ", "w"],
  // Greek
  ["α", "a"], ["β", "b"], ["ε", "e"], ["η", "n"], ["ι", "i"], ["κ", "k"], ["ν", "v"], ["ο", "o"], ["ρ", "p"], ["τ", "t"],
  ["υ", "u"], ["χ", "x"], ["γ", "y"], ["ω", "w"], ["Α", "a"], ["Β", "b"], ["Ε", "e"], ["Ζ", "z"], ["Η", "h"], ["Ι", "i"],
  ["Κ", "k"], ["Μ", "m"], ["Ν", "n"], ["Ο", "o"], ["Ρ", "p"], ["Τ", "t"], ["Υ", "y"], ["Χ", "x"],
  // Armenian, Latin extensions and symbols
  ["օ", "o"], ["ս", "u"], ["ց", "g"], ["ɑ", "a"], ["ɡ", "g"], ["ı", "i"], ["ȷ", "j"], ["ɩ", "i"], ["ʏ", "y"], ["ᴀ", "a"],
  ["ʙ", "b"], ["ᴄ", "c"], ["ᴅ", "d"], ["ᴇ", "e"], ["ɢ", "g"], ["ʜ", "h"], ["ɪ", "i"], ["ᴊ", "j"], ["ᴋ", "k"], ["ʟ", "l"],
  ["ᴍ", "m"], ["ɴ", "n"], ["ᴏ", "o"], ["ᴘ", "p"], ["ʀ", "r"], ["ꜱ", "s"], ["ᴛ", "t"], ["ᴜ", "u"], ["ᴠ", "v"], ["ᴡ", "w"],
  ["ᴢ", "z"], ["ℓ", "l"], ["∣", "l"], ["ǀ", "l"],
];

/** By UTF-16 code unit: every look-alike here is in the BMP. */
const TABLE = new Map<number, string>(PAIRS.map(([k, v]) => [k.charCodeAt(0), v]));

const utf16 = new TextDecoder("utf-16le");

/** Replaces each look-alike with its ASCII letter (one code unit for one). One pass over the code units. */
export function foldConfusables(text: string): string {
  let buf: Uint16Array | undefined;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0xb5) continue;
    const r = TABLE.get(code);
    if (r === undefined) continue;
    if (!buf) {
      buf = new Uint16Array(text.length);
      for (let j = 0; j < text.length; j++) buf[j] = text.charCodeAt(j);
    }
    buf[i] = r.charCodeAt(0);
  }
  return buf ? utf16.decode(buf) : text;
}
