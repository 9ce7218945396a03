/**
 * Prompt token counting for the TPM charge, with the target model's real tokenizer (src/tokens), made cheap
 * enough for the request path:
 *  - Each message's count is memoised (LRU). Chat clients resend the whole conversation every turn, and system
 *    prompts repeat across requests, so in practice only the newest message is tokenized.
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
const MEMO_MAX = 10_000;
const memo = new Map<string, number>();

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
  const key = `${name}\u0000${text.length > 256 ? text.length + ":" + text : text}`;
  const hit = memo.get(key);
  if (hit !== undefined) {
    memo.delete(key);
    memo.set(key, hit);
    return hit;
  }
  const tokenizer = getTokenizer(name);
  const head = text.length > exactChars ? text.slice(0, exactChars) : text;
  let n = 0;
  for (const p of pieces(head)) n += tokenizer.count(p);
  if (head.length < text.length) n = Math.ceil((n / head.length) * text.length);
  memo.set(key, n);
  if (memo.size > MEMO_MAX) memo.delete(memo.keys().next().value as string);
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
