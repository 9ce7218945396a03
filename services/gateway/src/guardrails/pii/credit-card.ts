/**
 * CREDIT_CARD: a run of 12–19 digits, unseparated or in groups of 3–8 digits split by one kind of separator
 * (space or dash), passing the Luhn checksum (ISO/IEC 7812) whose prefix and length match an issuer in
 * card-issuers.json (IIN ranges and lengths from braintree/credit-card-type@v10.3.0 and joke2k/faker@v40.35.0;
 * each entry names its source): 12-digit Maestro and 15-digit JCB count, a 16-digit Amex does not. Not a card:
 * a run inside a longer identifier (glued to letters or digits, or continuing an IBAN's groups), one-digit
 * groups ("0 1 2 3 … 199"), or a run right after an identifier's name (IBAN, licence, account, order...).
 */
import issuerTable from "./card-issuers.json";
import type { Recognizer, PiiCandidate } from "./recognizer";

const CARD = /(?<![\p{L}\p{N}])\d(?:[ \-]?\d){11,18}(?![\p{L}\p{N}])/gu;
/** Before the run: a longer identifier continues into it ("DE89 3704 …", "AB-1234-…"). */
const CONTINUES_BEFORE = /(?:\d[ \-]|\p{L}-)$/u;
/** After the run: more groups of the same identifier. */
const CONTINUES_AFTER = /^(?:[ \-]\d|-\p{L})/u;
/** Words right before a number that make it an identifier, not a card. */
const NOT_A_CARD = /\b(?:iban|bic|swift|licen[cs]e|passport|account|acct|order|invoice|tracking|serial|imei|isbn|ean|gtin|id|ref(?:erence)?|policy|routing)\b\W{0,4}(?:no\.?|number|#)?\W{0,3}$/i;

interface Issuer {
  readonly name: string;
  readonly lengths: readonly number[];
  /** A prefix, or an inclusive range of equal-length prefixes. */
  readonly prefixes: readonly (string | readonly [string, string])[];
}
const ISSUERS: readonly Issuer[] = (issuerTable as { issuers: Issuer[] }).issuers;

/** The issuer whose prefixes and lengths admit these digits, if any. */
export function issuerOf(digits: string): string | undefined {
  for (const issuer of ISSUERS) {
    if (!issuer.lengths.includes(digits.length)) continue;
    for (const p of issuer.prefixes) {
      if (typeof p === "string") {
        if (digits.startsWith(p)) return issuer.name;
        continue;
      }
      const head = Number(digits.slice(0, p[0].length));
      if (head >= Number(p[0]) && head <= Number(p[1])) return issuer.name;
    }
  }
  return undefined;
}

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

/** Unseparated, or groups of 3–8 digits with one kind of separator. */
function cardShaped(raw: string): boolean {
  const hasSpace = raw.includes(" ");
  const hasDash = raw.includes("-");
  if (hasSpace && hasDash) return false;
  if (!hasSpace && !hasDash) return true;
  return raw.split(hasSpace ? " " : "-").every((g) => g.length >= 3 && g.length <= 8);
}

export const creditCardRecognizer: Recognizer = {
  type: "CREDIT_CARD",
  context: ["card", "credit", "visa", "mastercard", "amex", "cc", "payment", "debit", "karte", "carte", "tarjeta"],
  find(text) {
    const out: PiiCandidate[] = [];
    CARD.lastIndex = 0;
    for (let m = CARD.exec(text); m !== null; m = CARD.exec(text)) {
      const raw = m[0];
      if (!cardShaped(raw)) continue;
      const digits = raw.replace(/[ \-]/g, "");
      if (digits.length < 12 || digits.length > 19 || /^(\d)\1+$/.test(digits) || !luhn(digits) || issuerOf(digits) === undefined) continue;
      const before = text.slice(Math.max(0, m.index - 40), m.index);
      if (CONTINUES_BEFORE.test(before) || CONTINUES_AFTER.test(text.slice(m.index + raw.length, m.index + raw.length + 2)) || NOT_A_CARD.test(before)) continue;
      out.push({ type: "CREDIT_CARD", start: m.index, end: m.index + raw.length, score: 1 });
    }
    return out;
  },
};
