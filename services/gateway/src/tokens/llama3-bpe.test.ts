/**
 * The fast Llama 3 encoder must give exactly the ids of the reference (@lenml/tokenizers), on random text of
 * every kind and on real prompts and documents; no timing assertions (speed is measured in the gateway bench).
 */
import { readdirSync, readFileSync } from "node:fs";
import { resolve } from "node:path";
import fc from "fast-check";
import { Llama3Bpe } from "./llama3-bpe";
import { getTokenizer, referenceTokenizer, type Tokenizer } from "./tokenizer";

let fast: Llama3Bpe;
let ref: Tokenizer;

beforeAll(() => {
  fast = Llama3Bpe.fromPackage();
  ref = referenceTokenizer("llama3");
});

const same = (text: string): boolean => {
  const a = ref.encode(text);
  const b = fast.encode(text);
  return a.length === b.length && a.every((id, i) => id === b[i]) && fast.count(text) === a.length;
};

/** Words, numbers, contractions, punctuation, whitespace runs, special tokens and non-Latin scripts, mixed. */
const pieces = fc.constantFrom(
  "the", "The", "THE", "gateway", " runbook", "incident", "I", "'s", "'T", "'re", "'VE", "'m", "'ll", "'D", "don't", "O'Neil",
  "1", "12", "123", "1234567", "3.14", "-42", "1e9", "0x1F", " ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", " \n ", "\u00a0", "\u3000",
  ".", ",", "!?", "...", "—", "→", "≤", "(", ")", "{", "}", "[]", "=>", "//", "#", "&", "~", "$", "@", "`", "```",
  "Grüße", "München", "façade", "naïve", "東京", "日本語のテキスト", "한국어", "Привет", "مرحبا", "हिन्दी", "ภาษาไทย",
  "🤖", "👩‍👩‍👧", "🇩🇪", "e\u0301", "\ufeff", "\u200b", "<|eot_id|>", "<|begin_of_text|>", "<|reserved_special_token_10|>", "<|", "|>", "<|nope|>",
);

describe("Llama3Bpe equals the reference tokenizer", () => {
  test("known ids", () => {
    expect(fast.encode("Hello")).toEqual([9906]);
    expect(fast.encode("")).toEqual([]);
    expect(fast.encode("<|eot_id|>")).toEqual([128009]);
  });

  test("random mixtures of words, numbers, contractions, whitespace, scripts and special tokens", () => {
    fc.assert(fc.property(fc.array(pieces, { maxLength: 40 }).map((p) => p.join("")), same), { numRuns: 1500 });
  });

  test("random Unicode strings (graphemes, and arbitrary code units including lone surrogates)", () => {
    fc.assert(fc.property(fc.string({ unit: "grapheme", maxLength: 60 }), same), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "binary", maxLength: 60 }), same), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: "grapheme-ascii", maxLength: 200 }), same), { numRuns: 1000 });
  });

  test("long words (merge loop on hundreds of symbols)", () => {
    fc.assert(fc.property(fc.string({ unit: fc.constantFrom("a", "b", "ab", "é", "x", "Q"), minLength: 100, maxLength: 400 }), same), { numRuns: 50 });
  });

  test("real prompts and documents: every paragraph of the repository's docs", () => {
    const root = resolve(__dirname, "..", "..", "..", "..");
    const dirs = ["docs/decisions"].map((d) => resolve(root, d));
    const texts: string[] = [
      "You are a concise assistant for the support team. Answer in one sentence.",
      "Summarise the following incident report in three bullet points, then propose a fix:\n\n```ts\nconst x = await fetch(url, { signal });\n```",
      "Translate to German: 'We'll ship the fix on Monday, won't we?'",
    ];
    const readme = readFileSync(resolve(root, "README.md"), "utf8");
    texts.push(...readme.split(/\n\n+/), readme);
    for (const dir of dirs) for (const f of readdirSync(dir).filter((n) => n.endsWith(".md"))) texts.push(...readFileSync(resolve(dir, f), "utf8").split(/\n\n+/), readFileSync(resolve(dir, f), "utf8"));
    expect(texts.length).toBeGreaterThan(100);
    const bad = texts.filter((t) => !same(t));
    expect(bad).toEqual([]);
  });

  test("getTokenizer('llama3') encodes and counts with it, and still decodes", () => {
    const t = getTokenizer("llama3");
    const text = "Retrieval-augmented generation, 2024.";
    expect(t.encode(text)).toEqual(ref.encode(text));
    expect(t.count(text)).toBe(ref.count(text));
    expect(t.decode(t.encode(text))).toBe(text);
  });
});
