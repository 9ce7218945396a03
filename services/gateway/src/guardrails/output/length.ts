/** Output length: an answer longer than `output.maxChars` (per route via overrides) is blocked. */
import type { Detector, Verdict } from "../types";

export const lengthDetector: Detector = {
  id: "length",
  run({ text, policy }): Verdict {
    const max = policy.output.maxChars;
    if (text.length <= max) return { action: "allow", findings: [], explanation: `length ${text.length} within ${max}` };
    return {
      action: "block",
      findings: [{ guard: "length", type: "max_length", score: 1 }],
      explanation: `answer length ${text.length} exceeds ${max} characters`,
      block: { code: "output_too_long", message: `The answer exceeded the maximum length of ${max} characters for this route.` },
    };
  },
};
