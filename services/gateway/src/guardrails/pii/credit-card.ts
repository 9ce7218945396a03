/**
 * CREDIT_CARD: 13–19 digits, optionally grouped by spaces or dashes (one kind of separator), passing the Luhn
 * checksum (ISO/IEC 7812) and starting with an issuer prefix in use (Visa, Mastercard, Amex, Discover, JCB,
 * Diners, UnionPay, Maestro). Luhn is three lines; no library needed.
 */
import type { Recognizer, PiiCandidate } from "./recognizer";

const CARD = /(?<![\d\-])\d(?:[ \-]?\d){12,18}(?![\d]|-\d)/g;
const ISSUER = /^(?:4|5[1-5]|2[2-7]|3[47]|3[068]|6(?:011|5|4[4-9]|2)|35|50|5[6-9]|6[37])/;

export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export const creditCardRecognizer: Recognizer = {
  type: "CREDIT_CARD",
  context: ["card", "credit", "visa", "mastercard", "amex", "cc", "payment", "debit", "karte", "carte", "tarjeta"],
  find(text) {
    const out: PiiCandidate[] = [];
    CARD.lastIndex = 0;
    for (let m = CARD.exec(text); m !== null; m = CARD.exec(text)) {
      const raw = m[0];
      if (raw.includes(" ") && raw.includes("-")) continue;
      const digits = raw.replace(/[ \-]/g, "");
      if (digits.length < 13 || digits.length > 19 || !ISSUER.test(digits) || !luhn(digits)) continue;
      if (/^(\d)\1+$/.test(digits)) continue;
      out.push({ type: "CREDIT_CARD", start: m.index, end: m.index + raw.length, score: 1 });
    }
    return out;
  },
};
