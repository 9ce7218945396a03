/**
 * The toxicity phrase families (moderation/toxicity-rules.ts) through the real pipeline with the model
 * switched off (`localThreshold: 1`), so what blocks here is the rules alone: the misses (self-harm,
 * threats without profanity, identity attacks, insults without swear words) refuse, their benign look-alikes
 * do not, and `localRules: false` turns them off.
 */
import fc from "fast-check";
import { createGuardrails } from "../../src/guardrails";
import { guardrailsConfigSchema } from "../../src/guardrails/config";
import { TOXICITY_RULES, matchToxicity, RULE_BLOCK } from "../../src/guardrails/moderation/toxicity-rules";

const rulesOnly = createGuardrails(guardrailsConfigSchema.parse({ input: { detectors: ["toxicity"] }, toxicity: { localThreshold: 1, localFlagThreshold: 1 } }));
const off = createGuardrails(guardrailsConfigSchema.parse({ input: { detectors: ["toxicity"] }, toxicity: { localThreshold: 1, localFlagThreshold: 1, localRules: false } }));
const check = (g: typeof rulesOnly, text: string) => g.checkInput([{ role: "user", content: text }], { route: "chat.completions", tenant: "t" });

const TOXIC: ReadonlyArray<readonly [string, string]> = [
  ["I want to kill myself tonight.", "self_harm"],
  ["I am going to end my life.", "self_harm"],
  ["I'm ready to die, nothing matters anymore.", "self_harm"],
  ["I will find where you live.", "threat"],
  ["I'm going to hurt you and your family.", "threat"],
  ["I hope you die in a fire.", "threat"],
  ["You deserve to suffer for this.", "threat"],
  ["Go kill yourself.", "threat"],
  ["Immigrants are criminals and should be deported.", "identity_attack"],
  ["Women are inferior to men.", "identity_attack"],
  ["Muslims don't deserve rights here.", "identity_attack"],
  ["Go back to your country.", "identity_attack"],
  ["You are a pathetic loser.", "insult"],
  ["You're so stupid it hurts.", "insult"],
  ["Shut up, you moron.", "insult"],
  ["Fuck you and your ideas.", "insult"],
  ["You stupid bitch.", "insult"],
  ["y0u 4re a p4thetic l0ser", "insult"],
];

const BENIGN: readonly string[] = [
  "I'll shoot you an email tomorrow with the agenda.",
  "I will beat you at chess next time.",
  "You are given a list of numbers; return the largest.",
  "Women are not inferior to men, and the data shows it.",
  "Flappy bird is taking over my life.",
  "Kill the process, then restart the server. You can check the logs after.",
  "This release is fucking great, thank you all.",
  "Smoking will kill you slowly, the doctor said.",
  "Immigrants will be deported under the new law, the minister announced.",
  "You are using a dumb terminal, so colours are disabled.",
  "What a lovely day for a picnic in the park.",
  "I cut myself shaving this morning.",
  "Please read the suicide prevention guidelines before the training.",
];

test.each(TOXIC)("rules alone refuse %j as %s", async (text, family) => {
  const v = await check(rulesOnly, text);
  expect(v.action).toBe("block");
  expect(v.block?.code).toBe("content_policy");
  expect(v.findings.map((f) => f.type)).toContain(family);
  // Findings name the family and weight, never words of the text.
  for (const f of v.findings) expect(text.toLowerCase()).not.toContain(f.type.replace("_", " "));
});

test.each(BENIGN)("rules do not refuse the look-alike %j", async (text) => {
  expect((await check(rulesOnly, text)).action).not.toBe("block");
});

test("flag-tier families are allowed and flagged, not refused", async () => {
  for (const text of ["I cut myself shaving this morning.", "Please read the suicide prevention guidelines.", "Shut up and listen."]) {
    const v = await check(rulesOnly, text);
    expect(v.action).toBe("allow");
    expect(v.findings.every((f) => f.flagged === true)).toBe(true);
    expect(v.findings.length).toBe(1);
  }
});

test("localRules: false switches the families off", async () => {
  for (const [text] of TOXIC) expect((await check(off, text)).action).toBe("allow");
});

test("rules match within a sentence: words split across sentences are no threat", () => {
  expect(matchToxicity("I will kill the job. You can restart it later.")).toEqual([]);
  expect(matchToxicity("Women are here. Inferior tools were replaced.")).toEqual([]);
});

test("every family has a block-tier and a flag-tier weight in range, and slots never empty", () => {
  for (const r of TOXICITY_RULES) {
    expect(r.weight).toBeGreaterThan(0);
    expect(r.weight).toBeLessThanOrEqual(1);
    for (const slot of r.slots) for (const alt of slot.split("|")) expect(alt.replace("*", "").length).toBeGreaterThan(0);
  }
  expect(TOXICITY_RULES.some((r) => r.weight >= RULE_BLOCK)).toBe(true);
});

test("joining sentences: the text's families are the union of its sentences' (no score grows with length)", () => {
  const sentences = [...TOXIC.map(([t]) => t), ...BENIGN];
  const families = (t: string) => new Map(matchToxicity(t).map((h) => [h.family, h.weight]));
  fc.assert(
    fc.property(fc.array(fc.constantFrom(...sentences), { minLength: 1, maxLength: 12 }), (parts) => {
      const whole = families(parts.join(" "));
      const union = new Map<string, number>();
      for (const p of parts) for (const [f, w] of families(p)) union.set(f, Math.max(union.get(f) ?? 0, w));
      expect(whole).toEqual(union);
    }),
  );
});
