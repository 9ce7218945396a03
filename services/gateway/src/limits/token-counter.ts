/**
 * Prompt token counting for the TPM charge, with the target model's real tokenizer (src/tokens), made cheap
 * enough for the request path:
 *  - Each message's count is memoised (two generations, see CountMemo). Chat clients resend the whole
 *    conversation every turn, and system prompts repeat across requests, so in practice only the newest message
 *    is tokenized.
 *  - Text is tokenized in pieces of at most 128 characters cut at whitespace. The BPE tokenizers merge within
 *    pre-tokenized words, so the sum is exact for Llama 3 and within a few percent for SentencePiece (Mistral),
 *    and it avoids the super-linear cost the SentencePiece implementation shows on long inputs.
 *  - Only the first `exactChars` characters of a message are tokenized; the rest is extrapolated at the same
 *    tokens-per-character ratio, so a 1 MB body cannot block the event loop for seconds. The charge is corrected
 *    with the upstream's actual usage afterwards anyway.
 * See docs/decisions/0032-token-counting-on-the-hot-path.md.
 */
import { getTokenizer, type TokenizerName } from "../tokens/tokenizer";

const PIECE = 128;
/** A memo generation is full at this many messages or this many characters (a memo holds at most two). */
export const MEMO_GENERATION = { entries: 5_000, chars: 2_000_000 } as const;

/**
 * The memo of message counts, per tokenizer and exactChars: two generations of Maps keyed by the text. When the
 * current generation is full it becomes the previous one (the older one is dropped whole), and a hit in the
 * previous generation is copied forward, so what is in use stays. O(1) per call with no iteration: the LRU this
 * replaces (delete-then-set on one Map, evicting with keys().next()) left deleted slots at the front of V8's hash
 * table that every eviction walked over, ≈ 1 % of the gateway's CPU at 1,000 requests/s.
 */
class CountMemo {
  private current = new Map<string, number>();
  private previous = new Map<string, number>();
  private currentChars = 0;
  private previousChars = 0;

  get(text: string): number | undefined {
    const n = this.current.get(text);
    if (n !== undefined) return n;
    const old = this.previous.get(text);
    if (old !== undefined) this.set(text, old);
    return old;
  }

  set(text: string, n: number): void {
    if (this.current.size >= MEMO_GENERATION.entries || this.currentChars >= MEMO_GENERATION.chars) {
      this.previous = this.current;
      this.previousChars = this.currentChars;
      this.current = new Map();
      this.currentChars = 0;
    }
    this.current.set(text, n);
    this.currentChars += text.length;
  }

  get size(): { readonly entries: number; readonly chars: number } {
    return { entries: this.current.size + this.previous.size, chars: this.currentChars + this.previousChars };
  }
}

const memos = new Map<TokenizerName, Map<number, CountMemo>>();

function memoFor(name: TokenizerName, exactChars: number): CountMemo {
  let byLimit = memos.get(name);
  if (!byLimit) memos.set(name, (byLimit = new Map()));
  let memo = byLimit.get(exactChars);
  if (!memo) byLimit.set(exactChars, (memo = new CountMemo()));
  return memo;
}

/** Messages and characters memoised for a tokenizer (for tests: the memo stays bounded). */
export function memoSize(name: TokenizerName, exactChars = 8192): { readonly entries: number; readonly chars: number } {
  return memos.get(name)?.get(exactChars)?.size ?? { entries: 0, chars: 0 };
}

function pieces(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    let j = Math.min(text.length, i + PIECE);
    if (j < text.length) {
      const k = text.lastIndexOf(" ", j);
      if (k > i) j = k;
    }
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/** Tokens in `text` for the tokenizer family, exact up to `exactChars` characters and extrapolated beyond. */
export function countTokens(name: TokenizerName, text: string, exactChars = 8192): number {
  if (text.length === 0) return 0;
  const memo = memoFor(name, exactChars);
  const hit = memo.get(text);
  if (hit !== undefined) return hit;
  const tokenizer = getTokenizer(name);
  const head = text.length > exactChars ? text.slice(0, exactChars) : text;
  let n = 0;
  for (const p of pieces(head)) n += tokenizer.count(p);
  if (head.length < text.length) n = Math.ceil((n / head.length) * text.length);
  memo.set(text, n);
  return n;
}

/** Tokens of a chat request's messages: each message's text plus a small per-message framing allowance. */
export function countMessageTokens(name: TokenizerName, messages: readonly { content?: unknown }[], exactChars?: number): number {
  let n = 0;
  for (const m of messages) {
    n += 4;
    const c = m.content;
    if (typeof c === "string") n += countTokens(name, c, exactChars);
    else if (Array.isArray(c)) {
      for (const part of c as unknown[]) {
        const text = part && typeof part === "object" && (part as { type?: unknown }).type === "text" ? (part as { text?: unknown }).text : undefined;
        if (typeof text === "string") n += countTokens(name, text, exactChars);
      }
    }
  }
  return n;
}

/** Loads a tokenizer ahead of the first request (loading parses megabytes of JSON). */
export function warmTokenizer(name: TokenizerName): void {
  getTokenizer(name).count("warm");
}
