/** The n-gram model (training, quantized round trip), the span scorer of the eval script and RESULTS.md sections. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { writeSection } from "../../src/guardrails/eval/results-md";
import { prf, scoreSpans, type Counts } from "../../src/guardrails/eval/span-scores";
import { LinearModel } from "../../src/guardrails/models/linear-model";
import { binaryScores, isHeldOut, train } from "../../src/guardrails/models/train";

const POS = ["bananas are evil", "evil bananas everywhere", "the banana is evil", "I hate evil bananas"];
const NEG = ["apples are nice", "nice apples today", "the apple is nice", "I like nice apples"];

test("training separates a toy problem and survives the int8 weights file round trip", () => {
  const model = train([...POS.map((text) => ({ text, label: 1 as const })), ...NEG.map((text) => ({ text, label: 0 as const }))], { epochs: 20 });
  expect(model.predict("evil bananas")).toBeGreaterThan(0.5);
  expect(model.predict("nice apples")).toBeLessThan(0.5);
  const dir = mkdtempSync(join(tmpdir(), "gr-model-"));
  const path = join(dir, "m.json");
  writeFileSync(path, JSON.stringify(model.toFile("toy", {})));
  const loaded = LinearModel.fromFile(path);
  expect(Math.abs(loaded.predict("evil bananas") - model.predict("evil bananas"))).toBeLessThan(0.05);
  writeFileSync(path, JSON.stringify({ ...model.toFile("toy", {}), dims: 12 }));
  expect(() => LinearModel.fromFile(path)).toThrow(`${path}: expected a version 1 weights file with dims 65536`);
});

test("the held-out split is deterministic and near its fraction", () => {
  const texts = Array.from({ length: 2000 }, (_, i) => `row ${i}`);
  const held = texts.filter((t) => isHeldOut(t, 0.25)).length;
  expect(held / texts.length).toBeGreaterThan(0.2);
  expect(held / texts.length).toBeLessThan(0.3);
  expect(texts.filter((t) => isHeldOut(t, 0.25)).length).toBe(held);
});

test("binary scores", () => {
  const s = binaryScores([
    { predicted: true, label: 1 },
    { predicted: false, label: 1 },
    { predicted: true, label: 0 },
    { predicted: false, label: 0 },
  ]);
  expect(s).toMatchObject({ precision: 0.5, recall: 0.5, fpr: 0.5, positives: 2, n: 4 });
});

test("span scoring matches same-type spans with IoU > 0.5, once each", () => {
  const counts = new Map<string, Counts>();
  const gold = [
    { type: "PERSON", start: 0, end: 10 },
    { type: "EMAIL_ADDRESS", start: 20, end: 30 },
  ];
  const predicted = [
    { type: "PERSON", start: 0, end: 8 }, // IoU 0.8 → TP
    { type: "PERSON", start: 1, end: 9 }, // gold already used → FP
    { type: "EMAIL_ADDRESS", start: 25, end: 40 }, // IoU 5/20 → FP (and the gold is a FN)
  ];
  scoreSpans(gold, predicted, ["PERSON", "EMAIL_ADDRESS"], counts);
  expect(counts.get("PERSON")).toEqual({ tp: 1, fp: 1, fn: 0 });
  expect(counts.get("EMAIL_ADDRESS")).toEqual({ tp: 0, fp: 1, fn: 1 });
  expect(prf({ tp: 1, fp: 1, fn: 0 })).toEqual({ precision: 0.5, recall: 1, f1: 2 / 3 });
});

test("writeSection replaces only its own section", () => {
  const path = join(mkdtempSync(join(tmpdir(), "gr-results-")), "RESULTS.md");
  writeFileSync(path, "# Benchmark results\n\n## A\n\nold a\n\n## Guardrails quality\n\nold\n\n## B\n\nkeep b\n");
  writeSection("Guardrails quality", "new", path);
  writeSection("Guardrails speed", "fast", path);
  expect(readFileSync(path, "utf8")).toBe("# Benchmark results\n\n## A\n\nold a\n\n## Guardrails quality\n\nnew\n\n## B\n\nkeep b\n\n## Guardrails speed\n\nfast\n");
});
