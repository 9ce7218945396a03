/**
 * US_SSN: AAA-GG-SSSS with the SSA's validity rules — area not 000, 666 or 900–999, group not 00, serial not
 * 0000, one delimiter kind throughout (dash, space or dot; mixed is rejected), and not a well-known dummy
 * (123-45-6789, 078-05-1120, all one digit). Undelimited 9-digit runs are weak (0.3) and need a context word.
 */
import type { Recognizer, PiiCandidate } from "./recognizer";

const SSN = /(?<![\d\-.])(\d{3})([\- .]?)(\d{2})([\- .]?)(\d{4})(?![\d]|[\-.]\d)/g;
const DUMMIES = new Set(["123456789", "078051120", "219099999", "457555462"]);

export function validSsn(area: string, group: string, serial: string): boolean {
  if (area === "000" || area === "666" || area.startsWith("9")) return false;
  if (group === "00" || serial === "0000") return false;
  const all = area + group + serial;
  if (/^(\d)\1{8}$/.test(all) || DUMMIES.has(all)) return false;
  return true;
}

export const usSsnRecognizer: Recognizer = {
  type: "US_SSN",
  context: ["ssn", "social", "security", "ssns", "ssa", "ss", "taxpayer", "tin", "itin"],
  find(text) {
    const out: PiiCandidate[] = [];
    SSN.lastIndex = 0;
    for (let m = SSN.exec(text); m !== null; m = SSN.exec(text)) {
      const [raw, area = "", d1 = "", group = "", d2 = "", serial = ""] = m;
      if (d1 !== d2) continue; // mixed (or half-missing) delimiters
      if (!validSsn(area, group, serial)) continue;
      out.push({ type: "US_SSN", start: m.index, end: m.index + raw.length, score: d1 === "" ? 0.3 : d1 === "-" ? 0.6 : 0.45 });
    }
    return out;
  },
};
