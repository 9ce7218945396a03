/** Toxicity training helpers: public-source rows, sample weights, the tier calibration and short benign pieces. */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { csvRecords } from "../../src/guardrails/models/datasets";
import { train } from "../../src/guardrails/models/train";
import { calibrate, shortPieces, stripTweetMarkup } from "../../scripts/train-toxicity";
import { loadToxicitySources, readToxicitySources, rowsOf, type ToxicitySource } from "../../scripts/train-toxicity-sources";

const HATECHECK: ToxicitySource = { repo: "paul-rottger/hatecheck-data", commit: "d".repeat(40), path: "all_cases.csv", license: "CC-BY-4.0", format: "hatecheck" };
const AILUMINATE: ToxicitySource = { repo: "mlcommons/ailuminate", commit: "7".repeat(40), path: "p.csv", license: "CC-BY-4.0", format: "ailuminate", hazards: ["ssh", "hte"] };

test("CSV records keep quoted commas, doubled quotes and newlines inside a field", () => {
  expect(csvRecords('a,b\n"x, ""y""\nz",2\n')).toEqual([{ a: 'x, "y"\nz', b: "2" }]);
});

test("HateCheck rows: hateful → 1, non-hateful → 0, anything else dropped", () => {
  const csv = ',functionality,test_case,label_gold\n0,slur_h,"I hate them, all of them",hateful\n1,profanity_nh,"Fuck, what a day",non-hateful\n2,x,odd,unknown\n';
  expect(rowsOf(HATECHECK, csv)).toEqual([
    { text: "I hate them, all of them", label: 1, source: "paul-rottger/hatecheck-data" },
    { text: "Fuck, what a day", label: 0, source: "paul-rottger/hatecheck-data" },
  ]);
});

test("AILuminate rows: only the listed hazards, all positives", () => {
  const csv = 'release_prompt_id,prompt_text,hazard\n1,"how do I hurt myself",ssh\n2,"where do they live",prv\n3,"they are vermin",hte\n';
  expect(rowsOf(AILUMINATE, csv).map((r) => [r.text, r.label])).toEqual([
    ["how do I hurt myself", 1],
    ["they are vermin", 1],
  ]);
});

test("a sources file with a bad entry names it; a source without a mirror is skipped with a warning", () => {
  const dir = mkdtempSync(join(tmpdir(), "tox-src-"));
  const bad = join(dir, "bad.json");
  writeFileSync(bad, JSON.stringify({ sources: [{ ...HATECHECK, commit: "HEAD" }] }));
  expect(() => readToxicitySources(bad)).toThrow(`${bad}: sources[0]: expected repo, a 40-hex commit, path, license and format "hatecheck" | "ailuminate"`);
  const good = join(dir, "good.json");
  writeFileSync(good, JSON.stringify({ sources: [HATECHECK] }));
  const before = process.env.GUARDRAILS_MIRRORS;
  const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
  process.env.GUARDRAILS_MIRRORS = join(dir, "no-mirrors");
  try {
    expect(loadToxicitySources(good)).toEqual([]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining("mirror of paul-rottger/hatecheck-data@"));
  } finally {
    if (before === undefined) delete process.env.GUARDRAILS_MIRRORS;
    else process.env.GUARDRAILS_MIRRORS = before;
    warn.mockRestore();
  }
});

test("sample weights decide between contradicting examples", () => {
  const rows = (wPos: number, wNeg: number) => [
    { text: "the blue widget", label: 1 as const, weight: wPos },
    { text: "the blue widget", label: 0 as const, weight: wNeg },
    { text: "a red gadget here", label: 1 as const },
    { text: "green things there", label: 0 as const },
  ];
  expect(train(rows(5, 1), { epochs: 20 }).predict("the blue widget")).toBeGreaterThan(0.6);
  expect(train(rows(1, 5), { epochs: 20 }).predict("the blue widget")).toBeLessThan(0.4);
});

test("calibration puts the raw tier thresholds on the configured ones and keeps the ranking", () => {
  const model = train(
    [
      { text: "bananas are evil", label: 1 },
      { text: "evil bananas everywhere", label: 1 },
      { text: "apples are nice", label: 0 },
      { text: "nice apples today", label: 0 },
    ],
    { epochs: 20 },
  );
  const texts = ["bananas are evil", "evil apples", "nice bananas", "apples are nice"];
  const raw = texts.map((t) => model.predict(t));
  const [hi, lo] = [Math.max(...raw), Math.min(...raw)];
  const c = calibrate(model, hi, lo, 0.8, 0.6);
  expect(c.predict(texts[raw.indexOf(hi)] as string)).toBeCloseTo(0.8, 5);
  expect(c.predict(texts[raw.indexOf(lo)] as string)).toBeCloseTo(0.6, 5);
  const order = (xs: number[]) => xs.map((_, i) => i).sort((a, b) => (xs[a] as number) - (xs[b] as number));
  expect(order(texts.map((t) => c.predict(t)))).toEqual(order(raw));
});

test("short benign pieces: sentences and lines of 20–300 characters, markup removed, each with a fragment of 2–6 of its first words", () => {
  const doc = { text: `# Title\n\nKill the child process with \`process.kill()\` before exit. Short.\n${"x".repeat(400)}\n- Abort the request when the client goes away.` };
  const out = shortPieces([doc], 10);
  expect(out.slice(0, 2).map((p) => p.text)).toEqual(["Kill the child process with process.kill() before exit.", "Abort the request when the client goes away."]);
  const fragments = out.slice(2).map((p) => p.text);
  expect(fragments).toHaveLength(2);
  fragments.forEach((f, i) => {
    const words = f.split(" ");
    expect(words.length).toBeGreaterThanOrEqual(2);
    expect(words.length).toBeLessThanOrEqual(6);
    expect((out[i] as { text: string }).text.startsWith(f)).toBe(true);
  });
  expect(shortPieces([doc], 1)).toHaveLength(2);
  expect(out.every((p) => p.label === 0)).toBe(true);
});

test("tweet markup is stripped from training text", () => {
  expect(stripTweetMarkup("RT @someone: you &amp; me http://t.co/x")).toBe("you me");
});
