/**
 * Fixed-size scoring windows (docs/decisions/0090): the local injection and toxicity layers score each window of
 * a text on its own and keep the highest window score, so a score never grows with length — a benign
 * 10,000-character document is exactly as benign as its most suspicious ~512-character stretch, and an attack
 * hidden in it is as visible as it would be alone. Window ends move back to a space (when one lies in the last
 * quarter) so words are not cut, and consecutive windows overlap so a phrase on a boundary is whole in one of
 * them. Linear: every window start advances by at least `size - overlap` characters.
 */
export const WINDOW_CHARS = 512;
export const WINDOW_OVERLAP = 128;

/** The [start, end) bounds of the windows of a text of `text.length` characters. */
export function windowBounds(text: string, size = WINDOW_CHARS, overlap = WINDOW_OVERLAP): Array<readonly [number, number]> {
  if (size <= overlap || overlap < 0) throw new Error(`windowBounds: expected 0 <= overlap < size, got size ${size}, overlap ${overlap}`);
  const n = text.length;
  if (n <= size) return [[0, n]];
  const out: Array<readonly [number, number]> = [];
  for (let start = 0; ; ) {
    let end = Math.min(n, start + size);
    if (end < n) {
      const floor = end - (size >> 2);
      let k = end;
      while (k > floor && text.charCodeAt(k) !== 32 && text.charCodeAt(k) !== 10) k--;
      if (k > floor) end = k;
    }
    out.push([start, end]);
    if (end >= n) break;
    let next = end - overlap;
    // Start after a space, not inside a word.
    const limit = Math.min(end, next + (overlap >> 1));
    while (next < limit && text.charCodeAt(next - 1) !== 32 && text.charCodeAt(next - 1) !== 10) next++;
    start = Math.max(next, start + 1);
  }
  return out;
}
