/**
 * How a benchmark entry lands in bench/RESULTS.md (appended to its section, earlier entries and other sections
 * kept) and how the target is judged (with the floor's verdict on the machine).
 */
import fc from "fast-check";
import { appendToSection, median, ratioVerdict, targetVerdict } from "../../bench/results-file";

const doc = ["# Benchmark results", "", "## Synthesis", "", "synth entry", "", "## Gateway", "", "intro", "", "### first", "first body", "", "## RAG", "", "rag entry", ""].join("\n");

test("an entry is appended after the section's earlier entries, before the next section", () => {
  const out = appendToSection(doc, "Gateway", "intro", "### second\nsecond body");
  expect(out.indexOf("### first")).toBeLessThan(out.indexOf("### second"));
  expect(out.indexOf("### second")).toBeLessThan(out.indexOf("## RAG"));
  expect(out.match(/^intro$/gm)).toHaveLength(1);
  expect(out).toContain("synth entry");
  expect(out).toContain("rag entry");
  // Appending twice keeps both.
  const twice = appendToSection(out, "Gateway", "intro", "### third\nthird body");
  expect(["### first", "### second", "### third", "## RAG"].map((h) => twice.indexOf(h))).toEqual([...["### first", "### second", "### third", "## RAG"].map((h) => twice.indexOf(h))].sort((a, b) => a - b));
});

test("a missing section is created at the end with its intro; the last section takes entries at the end", () => {
  const out = appendToSection("# Benchmark results\n\n## RAG\n\nrag entry\n", "Gateway", "intro", "### one");
  expect(out).toBe("# Benchmark results\n\n## RAG\n\nrag entry\n\n## Gateway\n\nintro\n\n### one\n");
  expect(appendToSection(out, "Gateway", "intro", "### two")).toBe("# Benchmark results\n\n## RAG\n\nrag entry\n\n## Gateway\n\nintro\n\n### one\n\n### two\n");
});

test("whatever the document, appending never loses a line that was there", () => {
  const line = fc.stringMatching(/^[a-z# ]{0,12}$/);
  fc.assert(
    fc.property(fc.array(line, { maxLength: 30 }), fc.stringMatching(/^[a-z][a-z ]{0,9}$/), (lines, entry) => {
      const before = lines.join("\n");
      const after = appendToSection(before, "Gateway", "intro", `### ${entry}`);
      // Whitespace at a section's edges may be normalised; no line's content is lost.
      const kept = after.split("\n").map((l) => l.trim());
      for (const l of lines) if (l.trim()) expect(kept).toContain(l.trim());
      expect(kept).toContain(`### ${entry}`.trim());
    }),
  );
});

test("the verdict: met or not on the median, and what the floor says about the machine", () => {
  expect(targetVerdict(3, 0.98, 0.27)).toBe("judged on the median of the 3 runs of (b) (0.980 ms): met. The floor with one Redis round trip (f) had overhead p99 0.270 ms.");
  expect(targetVerdict(3, 1.2, 0.27)).toMatch(/: not met\. The floor .* 0\.270 ms\.$/);
  expect(targetVerdict(3, 5.8, 3.3)).toMatch(/not met\. .*3\.300 ms: on this machine the target is out of reach of any Redis-backed gateway/);
  expect(targetVerdict(1, 0.9, undefined)).toBe("judged on the median of the 1 run of (b) (0.900 ms): met.");
  expect(targetVerdict(3, Number.NaN, undefined)).toMatch(/not measured/);
});

test("a ratio target's verdict line gives the ratio, the bound and whether it was met, either way round", () => {
  const t = { label: "max throughput, gateway ÷ Portkey OSS", numerator: 2150, denominator: 782, bound: 5, atLeast: true, detail: "2150 vs 782 req/s" };
  expect(ratioVerdict(t)).toBe("- max throughput, gateway ÷ Portkey OSS: 2.75 (target ≥ 5; 2150 vs 782 req/s): not met.");
  expect(ratioVerdict({ ...t, numerator: 4000 })).toMatch(/: 5\.12 .*: met\.$/);
  expect(ratioVerdict({ ...t, atLeast: false, bound: 2, numerator: 10, denominator: 7 })).toMatch(/: 1\.43 \(target ≤ 2; .*: met\.$/);
  expect(ratioVerdict({ ...t, atLeast: false, bound: 2, numerator: 133, denominator: 7 })).toMatch(/: 19\.00 .*: not met\.$/);
  expect(ratioVerdict({ ...t, denominator: 0, numerator: 0 })).toMatch(/: – .*: not measured\.$/);
  expect(ratioVerdict({ ...t, numerator: Number.NaN })).toMatch(/not measured\.$/);
});

test("median of the repeats: the middle value, the mean of the two middle ones, NaN for none (NaNs ignored)", () => {
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(median([])).toBeNaN();
  expect(median([Number.NaN, 5])).toBe(5);
});
