/**
 * EMAIL_ADDRESS: RFC 5322 "dot-atom" local part @ a domain of LDH labels with a letter TLD. Bounded
 * quantifiers and a required "@" keep it linear; no quoted local parts (rare in prose, and their regexes are
 * where backtracking blow-ups live).
 */
import type { Recognizer, PiiCandidate } from "./recognizer";

const EMAIL = /(?<![\p{L}\p{N}._%+\-])[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]{1,64}(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~\-]{1,64}){0,8}@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9\-]|\.[A-Za-z0-9])/gu;

export const emailRecognizer: Recognizer = {
  type: "EMAIL_ADDRESS",
  context: ["email", "mail", "e", "contact", "address", "write", "courriel", "correo"],
  find(text) {
    if (!text.includes("@")) return [];
    const out: PiiCandidate[] = [];
    EMAIL.lastIndex = 0;
    for (let m = EMAIL.exec(text); m !== null; m = EMAIL.exec(text)) {
      out.push({ type: "EMAIL_ADDRESS", start: m.index, end: m.index + m[0].length, score: 0.9 });
    }
    return out;
  },
};
