/**
 * Profanity: the `obscenity` library's English dataset with its recommended transformers (which undo
 * leetspeak, repeated letters and confusable characters). Action from `profanity.action`: allow records it,
 * redact masks the words as `<PROFANITY>`, block refuses with `content_policy`. `hasMatch` first: it is ~4×
 * cheaper than collecting matches and almost every text is clean.
 */
import { RegExpMatcher, englishDataset, englishRecommendedTransformers } from "obscenity";
import type { Detector, Verdict } from "../types";

const matcher = new RegExpMatcher({ ...englishDataset.build(), ...englishRecommendedTransformers });

export const profanityDetector: Detector = {
  id: "profanity",
  run({ text, policy }): Verdict {
    if (text.length === 0 || !matcher.hasMatch(text)) return { action: "allow", findings: [], explanation: "no profanity" };
    const matches = matcher.getAllMatches(text, true);
    const findings = matches.map((m) => ({ guard: "profanity", type: "profanity", score: 1, start: m.startIndex, end: m.endIndex + 1 }));
    const action = policy.profanity.action;
    const explanation = `${matches.length} profane word(s)`;
    if (action === "block") return { action, findings, explanation, block: { code: "content_policy", message: "The content was blocked by the content policy (profanity)." } };
    if (action === "redact") return { action, findings, explanation, redactions: findings.map((f) => ({ start: f.start, end: f.end, type: "PROFANITY" })) };
    return { action: "allow", findings, explanation };
  },
};
