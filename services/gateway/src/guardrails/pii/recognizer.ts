/** A PII recognizer: one entity type, a linear-time `find`, and the context words that raise its confidence. */
import type { PiiEntityType, ResolvedPolicy } from "../config";

export interface PiiCandidate {
  readonly type: PiiEntityType;
  readonly start: number;
  readonly end: number;
  /** Confidence before context words, 0..1. */
  readonly score: number;
}

export interface Recognizer {
  readonly type: PiiEntityType;
  /** Lower-case words or phrases that, shortly before (or after) a candidate, make it more likely real. */
  readonly context: readonly string[];
  find(text: string, policy: ResolvedPolicy): PiiCandidate[];
}
