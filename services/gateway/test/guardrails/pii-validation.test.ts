/**
 * The PII validation loaders (src/guardrails/eval/pii-validation.ts) on small inline fixtures: spans land on the
 * labeled strings, unmapped labels are not scored, labels absent from the text are counted and not guessed, and
 * CoNLL IO/BIO sentences become records whose span offsets point at the tagged tokens.
 */
import { resolve } from "node:path";
import { parseConllIo, parseEntityList, readPiiSources } from "../../src/guardrails/eval/pii-validation";

const slice = (text: string, s: { start: number; end: number }): string => text.slice(s.start, s.end);

describe("entity-list", () => {
  const labels = { EMAIL: "EMAIL_ADDRESS", PERSON: "PERSON" } as const;
  const json = JSON.stringify([
    { text: "Mail ann@example.org or ann@example.org, says Ann Lee.", NER: [{ entity: "ann@example.org", label: "EMAIL" }, { entity: "ann@example.org", label: "EMAIL" }, { entity: "Ann Lee", label: "PERSON" }, { entity: "Ann", label: "ORG" }] },
    { text: "No such address here.", NER: [{ entity: "bob@example.org", label: "EMAIL" }, { label: "PERSON" }] },
    { text: "Nothing labeled.", has_pii: false },
  ]);

  test("every occurrence of a labeled string is one span of the mapped type; unmapped labels are dropped", () => {
    const { records, unlocated } = parseEntityList(json, labels);
    expect(records).toHaveLength(3);
    const first = records[0];
    expect(first?.spans.map((s) => [s.type, slice(first.text, s)])).toEqual([
      ["EMAIL_ADDRESS", "ann@example.org"],
      ["EMAIL_ADDRESS", "ann@example.org"],
      ["PERSON", "Ann Lee"],
    ]);
    expect(new Set(first?.spans.map((s) => s.start)).size).toBe(3);
    // The second record's address is not in its text: counted, not located; the label without a string is skipped.
    expect(records[1]?.spans).toEqual([]);
    expect(unlocated).toBe(1);
    expect(records[2]?.spans).toEqual([]);
  });
});

describe("conll-io", () => {
  const conll = ["-DOCSTART- O", "", "Sir I-PER", "John I-PER", "Smith I-PER", "met O", "Mary B-PER", "Jones I-PER", "B-PER B-PER", "in O", "Paris I-LOC", ". O", "", "Ann I-PER", "", ""].join("\n");

  test("tagged runs become PERSON spans over the joined tokens; B- starts a new span; other labels are not scored", () => {
    const { records } = parseConllIo(conll, { PER: "PERSON" });
    expect(records.map((r) => r.text)).toEqual(["Sir John Smith met Mary Jones B-PER in Paris .", "Ann"]);
    const [a, b] = records;
    expect(a?.spans.map((s) => slice(a.text, s))).toEqual(["Sir John Smith", "Mary Jones", "B-PER"]);
    expect(a?.spans.every((s) => s.type === "PERSON")).toBe(true);
    expect(b?.spans.map((s) => slice(b.text, s))).toEqual(["Ann"]);
  });
});

test("the validation sources are pinned to a commit and a licence, and none is the development set or excluded", () => {
  const sources = readPiiSources(resolve(__dirname, "../../scripts/eval-data/pii-validation-sources.json"));
  expect(sources.length).toBeGreaterThan(0);
  for (const s of sources) {
    expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(s.license.length).toBeGreaterThan(0);
    expect(s.role).toBe("validation");
    expect(s.repo).not.toBe("microsoft/presidio-research");
  }
});
