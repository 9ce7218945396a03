/**
 * PHONE_NUMBER: phone-shaped digit groups (7–15 digits; "+", parentheses, spaces, dots, dashes, an extension)
 * found by one bounded scan, then parsed by libphonenumber-js for each configured region. Valid in a region →
 * 0.75; merely possible (right length) → 0.4, which a context word ("call", "phone", "fax", ...) lifts over the
 * default threshold. We parse candidates rather than run libphonenumber's `findNumbers` per region: that was
 * ~10 ms per KB for 8 regions, against our 1 ms budget for all local layers.
 */
import { parsePhoneNumberFromString, type CountryCode } from "libphonenumber-js";
import type { Recognizer, PiiCandidate } from "./recognizer";

const CANDIDATE = /(?<![\w+])(?:\+\d{1,3}[ .\-]?)?(?:\(\d{1,5}\)[ .\-]?)?\d{1,15}(?:[ .\-]\d{1,15}){0,6}(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})?(?![\w:])/g;
const EXTENSION = /(?:[ ]?(?:x|ext\.?|#)[ ]?\d{1,6})$/;
const DATE_LIKE = /^\d{4}[.\-]\d{1,2}[.\-]\d{1,2}\b|^\d{1,2}[.\-]\d{1,2}[.\-]\d{2,4}$/;
/** Words right before a number that make it something else: an apartment, a licence, an order number. */
const NOT_A_PHONE = /\b(?:apt|apartment|suite|unit|flat|floor|room|no|licen[cs]e|passport|id|order|invoice|account|acct|iban|zip|postcode|postal|ssn|ticket|case|building|bldg|block|house|street|st|road|rd|avenue|ave|box|serial|ref|reference|policy|member|customer|employee|badge)\W{0,3}(?:no\.?|number|#)?(?:\s+(?:is|was|:))?\W{0,3}$/i;

function scoreCandidate(raw: string, regions: readonly string[]): number {
  const digits = raw.replace(EXTENSION, "").replace(/\D/g, "");
  if (digits.length < 7 || digits.length > 15 || DATE_LIKE.test(raw)) return 0;
  const international = raw.startsWith("+") ? raw : raw.startsWith("00") ? `+${raw.slice(2)}` : undefined;
  let possible = false;
  if (international) {
    const n = parsePhoneNumberFromString(international);
    if (n?.isValid()) return 0.85;
    possible = n?.isPossible() ?? false;
  }
  for (const region of regions) {
    const n = parsePhoneNumberFromString(raw, region as CountryCode);
    if (!n) continue;
    if (n.isValid()) return 0.75;
    if (!possible && n.isPossible()) possible = true;
  }
  return possible ? 0.4 : 0;
}

/**
 * Phone-like formatting: a leading "+" or "00", an area code in parentheses, or groups split by dashes or dots
 * ("555-123-4567", "030.1234.5678"). Bare digit runs ("425700624") and space-split groups ("221 4567 12") are
 * ids, street and building numbers as often as phones: they need a context word ("call", "phone", ...).
 */
const PHONE_FORMAT = /^(?:\+|00)|\(\d{1,5}\)|\d[\-.]\d/;

function shapePenalty(raw: string, before: string): number {
  if (NOT_A_PHONE.test(before)) return 0;
  return PHONE_FORMAT.test(raw) ? 1 : 0.4;
}

/**
 * libphonenumber parses cost ~0.1 ms per candidate and region; a text of nothing but digit groups would make
 * thousands. Results are memoized per text, and past PARSE_BUDGET distinct candidates a phone-shaped run is
 * scored by shape alone (0.5: still redacted by default). Linear, and errs toward redaction, never a pass.
 */
const PARSE_BUDGET = 256;
const SHAPE_ONLY = /[ .\-()]/;

export const phoneRecognizer: Recognizer = {
  type: "PHONE_NUMBER",
  context: ["phone", "call", "tel", "telephone", "mobile", "cell", "fax", "office", "reach", "number", "contact", "whatsapp", "sms", "text", "dial", "telefon", "handy", "téléphone", "portable", "teléfono", "móvil", "ring", "answering", "answer", "calls", "landline", "hotline", "voicemail"],
  find(text, policy) {
    const out: PiiCandidate[] = [];
    const memo = new Map<string, number>();
    CANDIDATE.lastIndex = 0;
    for (let m = CANDIDATE.exec(text); m !== null; m = CANDIDATE.exec(text)) {
      let parsed = memo.get(m[0]);
      if (parsed === undefined) {
        if (memo.size < PARSE_BUDGET) memo.set(m[0], (parsed = scoreCandidate(m[0], policy.pii.phoneRegions)));
        else parsed = SHAPE_ONLY.test(m[0]) && (m[0].match(/\d/g)?.length ?? 0) >= 7 ? 0.5 : 0;
      }
      const score = Math.min(parsed, shapePenalty(m[0], text.slice(Math.max(0, m.index - 32), m.index)));
      if (score > 0) out.push({ type: "PHONE_NUMBER", start: m.index, end: m.index + m[0].length, score });
    }
    return out;
  },
};
