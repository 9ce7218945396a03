/**
 * IP_ADDRESS: candidates found by a cheap character-class scan, then really parsed by node:net (isIPv4 /
 * isIPv6), so "999.1.1.1", "1.2.3" or "std::vector" are not addresses and "::ffff:10.0.0.1" is.
 */
import { isIPv4, isIPv6 } from "node:net";
import type { Recognizer, PiiCandidate } from "./recognizer";

const V4 = /(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
/** Hex groups and colons (and a trailing dotted quad): at least two colons. */
const V6 = /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,8}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{1,4})?(?![\w:]|\.\d)/g;

export const ipAddressRecognizer: Recognizer = {
  type: "IP_ADDRESS",
  context: ["ip", "address", "host", "server", "ipv4", "ipv6", "client", "from", "adresse"],
  find(text) {
    const out: PiiCandidate[] = [];
    V4.lastIndex = 0;
    for (let m = V4.exec(text); m !== null; m = V4.exec(text)) {
      if (isIPv4(m[0])) out.push({ type: "IP_ADDRESS", start: m.index, end: m.index + m[0].length, score: 0.6 });
    }
    if (text.includes(":")) {
      V6.lastIndex = 0;
      for (let m = V6.exec(text); m !== null; m = V6.exec(text)) {
        const s = m[0];
        if (s.length < 3 || !/[0-9A-Fa-f]/.test(s)) continue;
        if (isIPv6(s)) out.push({ type: "IP_ADDRESS", start: m.index, end: m.index + s.length, score: s.length >= 8 ? 0.65 : 0.3 }); // beats the dotted quad inside "::ffff:1.2.3.4"
      }
    }
    return out;
  },
};
