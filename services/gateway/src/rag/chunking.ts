/**
 * Token-based chunking with overlap that prefers heading and paragraph boundaries.
 *
 * The text is cut into pieces (sentences, via Intl.Segmenter; over-long sentences into word runs, over-long words
 * into character runs), each remembering whether it opens a paragraph or a Markdown heading. Pieces are packed
 * greedily up to `maxTokens`; when a chunk is full it is cut back to its last paragraph boundary if that keeps
 * it at least half full, a heading closes the current chunk once it holds a quarter of the budget, and the next
 * chunk repeats whole trailing sentences of the previous one up to `overlapTokens` (never across a heading).
 * Every chunk is the exact slice text[start, end) and is re-counted with the real tokenizer, so
 * `tokens <= maxTokens` always holds. See docs/decisions/0052-chunking.md.
 */
import type { Tokenizer } from "../tokens/tokenizer";

export interface ChunkOptions {
  readonly tokenizer: Tokenizer;
  /** Largest chunk in tokens. */
  readonly maxTokens: number;
  /** Trailing tokens of a chunk repeated at the start of the next (sentence-granular). */
  readonly overlapTokens: number;
}

export interface TextChunk {
  /** 0-based position in the document. */
  readonly index: number;
  readonly text: string;
  /** Character offsets of the chunk in the (line-ending-normalized) document text. */
  readonly start: number;
  readonly end: number;
  /** Token count with the chunking tokenizer. */
  readonly tokens: number;
  /** The nearest Markdown heading above the chunk's start, if any. */
  readonly heading?: string;
}

interface Piece {
  readonly start: number;
  readonly end: number;
  readonly tokens: number;
  /** Opens a paragraph (first piece of a block). */
  readonly paragraph: boolean;
  /** Is (the start of) a Markdown heading line. */
  readonly heading: boolean;
}

const HEADING = /^#{1,6}\s+\S/;
const sentenceSegmenter = new Intl.Segmenter("en", { granularity: "sentence" });

/** Paragraph blocks: runs of non-blank lines; a heading line is a block of its own. */
function blocks(text: string): Array<{ start: number; end: number; heading: boolean }> {
  const out: Array<{ start: number; end: number; heading: boolean }> = [];
  let blockStart = -1;
  let blockEnd = -1;
  let pos = 0;
  const close = (): void => {
    if (blockStart >= 0) out.push({ start: blockStart, end: blockEnd, heading: false });
    blockStart = -1;
  };
  for (const line of text.split("\n")) {
    const lineStart = pos;
    const lineEnd = pos + line.length;
    pos = lineEnd + 1;
    if (line.trim() === "") {
      close();
    } else if (HEADING.test(line)) {
      close();
      out.push({ start: lineStart, end: lineEnd, heading: true });
    } else {
      if (blockStart < 0) blockStart = lineStart;
      blockEnd = lineEnd;
    }
  }
  close();
  return out;
}

/** Splits [start, end) into ranges of at most `max` tokens: sentences, then words, then characters. */
function fit(text: string, start: number, end: number, max: number, tok: Tokenizer, level = 0): Array<{ start: number; end: number; tokens: number }> {
  const slice = text.slice(start, end);
  const tokens = tok.count(slice);
  if (tokens <= max) return [{ start, end, tokens }];
  let parts: Array<{ start: number; end: number }>;
  if (level === 0) {
    parts = [...sentenceSegmenter.segment(slice)].map((s) => ({ start: start + s.index, end: start + s.index + s.segment.length }));
  } else if (level === 1) {
    parts = [];
    const re = /\S+\s*/g;
    for (let m = re.exec(slice); m; m = re.exec(slice)) parts.push({ start: start + m.index, end: start + m.index + m[0].length });
  } else {
    // Characters: a token is at least one byte, so `max` bytes' worth of characters always fits; halve until it does.
    let width = Math.max(1, Math.floor(max / 2));
    parts = [];
    for (let s = start; s < end; ) {
      let e = Math.min(end, s + width);
      while (e - s > 1 && tok.count(text.slice(s, e)) > max) e = s + Math.max(1, Math.floor((e - s) / 2));
      parts.push({ start: s, end: e });
      width = Math.max(width, e - s);
      s = e;
    }
    return parts.map((p) => ({ ...p, tokens: tok.count(text.slice(p.start, p.end)) }));
  }
  if (parts.length <= 1) return fit(text, start, end, max, tok, level + 1);
  // Re-group neighbouring small parts so pieces stay meaningful, each still within `max`.
  return parts.flatMap((p) => fit(text, p.start, p.end, max, tok, level + 1));
}

function pieces(text: string, max: number, tok: Tokenizer): Piece[] {
  const out: Piece[] = [];
  for (const b of blocks(text)) {
    let first = true;
    const ranges = b.heading ? fit(text, b.start, b.end, max, tok, 1) : fit(text, b.start, b.end, max, tok, 0).flatMap((r) => (r.tokens > 0 ? [r] : []));
    for (const r of ranges) {
      if (text.slice(r.start, r.end).trim() === "") continue;
      out.push({ ...r, paragraph: first, heading: b.heading && first });
      first = false;
    }
  }
  return out;
}

/** Splits a document's text into overlapping token-bounded chunks. Empty or whitespace-only text gives none. */
export function chunkText(input: string, options: ChunkOptions): TextChunk[] {
  const { tokenizer: tok, maxTokens, overlapTokens } = options;
  const text = input.replace(/\r\n?/g, "\n");
  const all = pieces(text, maxTokens, tok);
  const chunks: TextChunk[] = [];
  const headings: Array<{ start: number; text: string }> = all.filter((p) => p.heading).map((p) => ({ start: p.start, text: text.slice(p.start, p.end).replace(/^#+\s*/, "").trim() }));

  let i = 0;
  let carry: Piece[] = [];
  while (i < all.length) {
    const current: Piece[] = [...carry];
    let used = carry.reduce((n, p) => n + p.tokens + 1, 0);
    const fresh = i;
    while (i < all.length) {
      const p = all[i] as Piece;
      if (p.heading && i > fresh && used >= maxTokens / 4) break;
      if (used + p.tokens + (current.length > 0 ? 1 : 0) > maxTokens && i > fresh) break;
      current.push(p);
      used += p.tokens + (current.length > 1 ? 1 : 0);
      i++;
    }
    // Full and not ended by a heading: cut back to the last paragraph start if the chunk stays half full.
    if (i < all.length && !(all[i] as Piece).heading && !(all[i] as Piece).paragraph) {
      for (let k = current.length - 1; k > carry.length; k--) {
        const p = current[k] as Piece;
        if (!p.paragraph) continue;
        const before = current.slice(0, k).reduce((n, q) => n + q.tokens + 1, 0);
        if (before >= maxTokens / 2) {
          i -= current.length - k;
          current.length = k;
        }
        break;
      }
    }
    // Exact count of the slice; drop trailing pieces (never the first new one) until it fits.
    let start = (current[0] as Piece).start;
    let end = (current[current.length - 1] as Piece).end;
    let count = tok.count(text.slice(start, end));
    while (count > maxTokens && current.length > 1) {
      if (current.length - 1 >= carry.length + 1) {
        current.pop();
        i--;
      } else {
        current.shift();
        carry = carry.slice(1);
      }
      start = (current[0] as Piece).start;
      end = (current[current.length - 1] as Piece).end;
      count = tok.count(text.slice(start, end));
    }
    // Trailing whitespace is not content (and would merge differently with whatever follows it in a prompt).
    const trimmed = start + text.slice(start, end).trimEnd().length;
    if (trimmed !== end) {
      end = trimmed;
      count = tok.count(text.slice(start, end));
    }
    const heading = [...headings].reverse().find((h) => h.start <= start);
    chunks.push({ index: chunks.length, text: text.slice(start, end), start, end, tokens: count, ...(heading ? { heading: heading.text } : {}) });
    // Overlap: whole trailing pieces up to overlapTokens, not when the next chunk opens with a heading.
    carry = [];
    if (i < all.length && !(all[i] as Piece).heading && overlapTokens > 0) {
      let budget = overlapTokens;
      for (let k = current.length - 1; k >= 1; k--) {
        const p = current[k] as Piece;
        if (p.tokens + 1 > budget || p.heading) break;
        carry.unshift(p);
        budget -= p.tokens + 1;
      }
    }
  }
  return chunks;
}
