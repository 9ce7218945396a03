/**
 * Times (in CPU time) every local detector on adversarial 100 KB inputs in a plain Node process (how the gateway runs;
 * jest's VM context de-optimizes some builtins several-fold). Prints JSON: [{ name, detector, ms }].
 * Inputs: hand-picked backtracking shapes plus fast-check-generated units (seeded) from an alphabet of the
 * characters our patterns care about, each repeated to 100 KB.
 */
import fc from "fast-check";
import { DEFAULT_POLICY, type DetectorId } from "../../../src/guardrails/config";
import { DETECTORS } from "../../../src/guardrails/detectors";

const N = 100_000;
const fill = (unit: string) => unit.repeat(Math.ceil(N / unit.length)).slice(0, N);
export const HAND_PICKED: Array<[string, string]> = [
  ["letters", "a"], ["digits", "1"], ["digit groups", "1 "], ["dashed digits", "12-"], ["at signs", "a@"],
  ["dotted labels", "a."], ["email-like", "a.b@c"], ["colons", ":"], ["hex and colons", "f:"], ["dotted numbers", "1."],
  ["spaced letters", "a "], ["base64-ish", "QUJD"], ["delimiters", "=-"], ["capitalized words", "John "],
  ["attack words", "ignore previous "], ["angle brackets", "<|"], ["zero-width", "a\u200B"], ["homoglyphs", "аео"],
  ["leet", "1g"], ["newline system", "\nsystem"],
];
const ALPHABET = fc.constantFrom(..."aZ09 .-@:+()/=_#<>|\n\u200B\u0430xX".split(""));
const GENERATED = fc.sample(fc.string({ unit: ALPHABET, minLength: 1, maxLength: 12 }), { seed: 20261128, numRuns: 10 }).map((u, i): [string, string] => [`generated ${i}`, u]);
const LOCAL: DetectorId[] = ["pii", "injection", "profanity", "toxicity", "length"];

async function main(): Promise<void> {
  const results: { name: string; detector: string; ms: number }[] = [];
  for (const [name, unit] of [...HAND_PICKED, ...GENERATED]) {
    const text = fill(unit);
    for (const id of LOCAL) {
      const input = { text, stage: "input" as const, policy: DEFAULT_POLICY, complete: true };
      await DETECTORS[id].run(input, {}); // warm-up
      // CPU time of this process, not wall time: other processes competing for the 2 cores (jest workers,
      // the rest of the suite) do not count, while a quadratic pattern's work still does.
      let ms = Infinity;
      for (let run = 0; run < 2; run++) {
        const started = process.cpuUsage();
        await DETECTORS[id].run(input, {});
        const used = process.cpuUsage(started);
        ms = Math.min(ms, (used.user + used.system) / 1000);
      }
      results.push({ name, detector: id, ms });
    }
  }
  process.stdout.write(JSON.stringify(results));
}

void main();
