/**
 * Chunking: every chunk fits the token budget (recounted with the real tokenizer), is an exact slice of the
 * document, the chunks together cover all of its text, headings start chunks, and neighbours overlap.
 */
import fc from "fast-check";
import { chunkText } from "../../src/rag/chunking";
import { getTokenizer } from "../../src/tokens/tokenizer";

const tok = getTokenizer("llama3");

const word = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom("policy", "the", "refund", "employees", "vacation", "deploy", "pipeline", "März", "naïve", "東京", "data", "42") },
  { weight: 2, arbitrary: fc.string({ minLength: 1, maxLength: 20 }).map((s) => s.replace(/\s/g, "x") || "x") },
  // A "word" longer than a chunk (base64 blobs, URLs): split by characters.
  { weight: 1, arbitrary: fc.constant("Zm9vYmFy".repeat(30)) },
);
const sentence = fc.array(word, { minLength: 1, maxLength: 20 }).map((ws) => ws.join(" ") + ".");
const paragraph = fc.array(sentence, { minLength: 1, maxLength: 5 }).map((ss) => ss.join(" "));
const section = fc.tuple(fc.option(fc.constantFrom("# Title", "## Section", "### Detail"), { nil: undefined }), fc.array(paragraph, { minLength: 1, maxLength: 3 }));
const documentText = fc.array(section, { minLength: 1, maxLength: 4 }).map((secs) => secs.map(([h, ps]) => [h, ...ps].filter(Boolean).join("\n\n")).join("\n\n"));

describe("chunkText", () => {
  it("keeps every chunk within maxTokens, as exact slices covering the whole text", () => {
    fc.assert(
      fc.property(documentText, fc.integer({ min: 40, max: 300 }), (text, maxTokens) => {
        const overlapTokens = Math.floor(maxTokens / 5);
        const chunks = chunkText(text, { tokenizer: tok, maxTokens, overlapTokens });
        const covered = new Array<boolean>(text.length).fill(false);
        chunks.forEach((c, i) => {
          expect(c.index).toBe(i);
          expect(c.text).toBe(text.slice(c.start, c.end));
          expect(tok.count(c.text)).toBe(c.tokens);
          expect(c.tokens).toBeLessThanOrEqual(maxTokens);
          for (let k = c.start; k < c.end; k++) covered[k] = true;
        });
        for (let k = 0; k < text.length; k++) if (!/\s/.test(text[k] as string)) expect(covered[k]).toBe(true);
      }),
      { numRuns: 30 },
    );
  });

  it("starts a new chunk at a heading and repeats sentences between neighbours", () => {
    const para = (topic: string, n: number) => Array.from({ length: n }, (_, i) => `Sentence ${i} about ${topic} explains one more detail.`).join(" ");
    const text = `# Alpha\n\n${para("alpha", 30)}\n\n# Beta\n\n${para("beta", 6)}`;
    const chunks = chunkText(text, { tokenizer: tok, maxTokens: 120, overlapTokens: 30 });
    const beta = chunks.find((c) => c.text.includes("# Beta"));
    expect(beta?.text.startsWith("# Beta")).toBe(true);
    expect(beta?.heading).toBe("Beta");
    const alpha = chunks.filter((c) => c.heading === "Alpha");
    expect(alpha.length).toBeGreaterThan(2);
    for (let i = 1; i < alpha.length; i++) expect((alpha[i] as { start: number }).start).toBeLessThan((alpha[i - 1] as { end: number }).end);
    // No overlap across the heading.
    expect(beta?.start).toBeGreaterThanOrEqual((alpha.at(-1) as { end: number }).end);
  });

  it("gives no chunks for whitespace-only text", () => {
    expect(chunkText(" \n\n \t", { tokenizer: tok, maxTokens: 100, overlapTokens: 10 })).toEqual([]);
  });
});
