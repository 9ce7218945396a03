/** The registry of detectors by id. Adding a detector is adding its file and one line here (and its id in config.ts). */
import type { DetectorId } from "./config";
import { injectionDetector } from "./injection/detector";
import { profanityDetector } from "./moderation/profanity";
import { topicsDetector } from "./moderation/topics";
import { toxicityDetector } from "./moderation/toxicity";
import { jsonDetector } from "./output/json";
import { lengthDetector } from "./output/length";
import { piiDetector } from "./pii/detector";
import type { Detector } from "./types";

export const DETECTORS: Readonly<Record<DetectorId, Detector>> = {
  pii: piiDetector,
  injection: injectionDetector,
  profanity: profanityDetector,
  toxicity: toxicityDetector,
  topics: topicsDetector,
  length: lengthDetector,
  json: jsonDetector,
};
