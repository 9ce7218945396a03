/**
 * The `x-guardrails-flagged` response header: the layers (detector ids such as `injection`, `toxicity`) whose
 * findings a local layer flagged below its block tier (docs/decisions/0090), sorted and comma-separated. Only
 * detector ids from the fixed list are ever written, so the header cannot carry text from the prompt or answer.
 */
import type { GuardrailFinding } from "../contracts";
import { DETECTOR_IDS } from "./config";

export const FLAGGED_HEADER = "x-guardrails-flagged";

const KNOWN: ReadonlySet<string> = new Set(DETECTOR_IDS);

/** The flagged layers of `findings` (known detector ids only), sorted and de-duplicated. */
export function flaggedLayers(...findings: ReadonlyArray<readonly GuardrailFinding[]>): string[] {
  const layers = new Set<string>();
  for (const list of findings) for (const f of list) if (f.flagged === true && KNOWN.has(f.guard)) layers.add(f.guard);
  return [...layers].sort();
}

/**
 * A copy of `headers` whose `x-guardrails-flagged` names the layers it already named (input flags, when the
 * answer's are added) together with those of `findings`; absent when there are none.
 */
export function withFlaggedHeader(headers: Readonly<Record<string, string>>, ...findings: ReadonlyArray<readonly GuardrailFinding[]>): Record<string, string> {
  const before = (headers[FLAGGED_HEADER] ?? "").split(",").filter((l) => KNOWN.has(l));
  const layers = [...new Set([...before, ...flaggedLayers(...findings)])].sort();
  const out: Record<string, string> = { ...headers };
  delete out[FLAGGED_HEADER];
  if (layers.length > 0) out[FLAGGED_HEADER] = layers.join(",");
  return out;
}
