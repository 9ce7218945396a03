import fc from "fast-check";
import { getTokenizer } from "../tokens/tokenizer";
import { countMessageTokens, countTokens, MEMO_GENERATION, memoSize } from "./token-counter";

const llama3 = getTokenizer("llama3");

test("short texts: exactly the tokenizer's count, the same again from the memo", () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 400 }), (text) => {
      const n = countTokens("llama3", text);
      // Pieces are cut at spaces, where Llama 3's pre-tokenizer also splits, so the sum is exact.
      expect(n).toBe(llama3.count(text));
      expect(countTokens("llama3", text)).toBe(n);
    }),
    { numRuns: 200 },
  );
});

test("beyond exactChars the count is extrapolated from the head, not tokenized", () => {
  const text = "word ".repeat(10_000);
  const head = llama3.count(text.slice(0, 1_000));
  expect(countTokens("llama3", text, 1_000)).toBe(Math.ceil((head / 1_000) * text.length));
});

test("a message counts its text and a framing allowance; array content counts its text parts", () => {
  const a = "Where can I find the runbook?";
  const b = "You are a concise assistant.";
  expect(countMessageTokens("llama3", [{ content: a }, { content: b }])).toBe(8 + llama3.count(a) + llama3.count(b));
  expect(countMessageTokens("llama3", [{ content: [{ type: "text", text: a }, { type: "image_url", image_url: { url: "x" } }] }])).toBe(4 + llama3.count(a));
});

test("the memo stays bounded in entries and characters, and what is in use survives a generation change", () => {
  const keep = "the system prompt every request repeats";
  const before = countTokens("llama2", keep, 4096);
  for (let i = 0; i < MEMO_GENERATION.entries * 3; i++) {
    countTokens("llama2", `message ${i}`, 4096);
    if (i % 1000 === 0) expect(countTokens("llama2", keep, 4096)).toBe(before);
    expect(memoSize("llama2", 4096).entries).toBeLessThanOrEqual(2 * MEMO_GENERATION.entries);
  }
  const long = "x".repeat(400_000);
  for (let i = 0; i < 20; i++) countTokens("llama2", `${i}${long}`, 4096);
  expect(memoSize("llama2", 4096).chars).toBeLessThanOrEqual(2 * MEMO_GENERATION.chars + 2 * 400_010);
});
