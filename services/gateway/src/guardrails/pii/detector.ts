/**
 * The PII detector: entities found (analyze.ts), each with its configured action. Any entity whose action is
 * block (US_SSN and CREDIT_CARD by default) blocks with `pii_blocked`, naming the entity types, never the
 * values; redact entities become `<TYPE>` placeholders; allow entities are recorded (and still set containsPii).
 */
import type { GuardrailFinding } from "../../contracts";
import type { Detector, Redaction, Verdict } from "../types";
import { analyzePii } from "./analyze";

export const piiDetector: Detector = {
  id: "pii",
  run({ text, policy }): Verdict {
    const found = analyzePii(text, policy);
    if (found.length === 0) return { action: "allow", findings: [], explanation: "no PII found" };
    const findings: GuardrailFinding[] = found.map((c) => ({ guard: "pii", type: c.type, score: round(c.score), start: c.start, end: c.end }));
    const blocking = [...new Set(found.filter((c) => policy.pii.entities[c.type].action === "block").map((c) => c.type))];
    const counts = summarize(found.map((c) => c.type));
    if (blocking.length > 0) {
      return {
        action: "block",
        findings,
        explanation: `PII that may not be sent: ${blocking.join(", ")} (found ${counts})`,
        block: { code: "pii_blocked", message: `The request contains sensitive personal data that may not be sent: ${blocking.join(", ")}.` },
      };
    }
    const redactions: Redaction[] = found.filter((c) => policy.pii.entities[c.type].action === "redact").map((c) => ({ start: c.start, end: c.end, type: c.type }));
    if (redactions.length === 0) return { action: "allow", findings, explanation: `PII found and allowed by policy: ${counts}` };
    return { action: "redact", findings, redactions, explanation: `PII replaced by placeholders: ${summarize(redactions.map((r) => r.type))}` };
  },
};

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** "2 EMAIL_ADDRESS, 1 PERSON" */
export function summarize(types: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const t of types) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts].map(([t, n]) => `${n} ${t}`).join(", ");
}
