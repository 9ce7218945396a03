import fc from "fast-check";
import { getTokenizer } from "./tokenizer";

describe("getTokenizer", () => {
  test("llama3 encodes a known word to its real id and round-trips text", () => {
    const t = getTokenizer("llama3");
    expect(t.encode("Hello")).toEqual([9906]);
    expect(t.decode(t.encode("Retrieval-augmented generation, 2024."))).toBe("Retrieval-augmented generation, 2024.");
  });

  test("mistral counts with the SentencePiece family and differs from llama3 on the same text", () => {
    const text = "Tokenizers disagree about multilingual text: Grüße aus München";
    expect(getTokenizer("mistral").count(text)).not.toBe(getTokenizer("llama3").count(text));
    expect(getTokenizer("mistral").count("")).toBe(0);
  });

  test("counts are additive within a token of concatenation (no special tokens added)", () => {
    const t = getTokenizer("llama3");
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.string({ maxLength: 60 }), (a, b) => {
        const joined = t.count(a + " " + b);
        return joined <= t.count(a) + t.count(" " + b) + 1 && joined >= 0;
      }),
      { numRuns: 100 },
    );
  });
});
