/**
 * What every detector is: a small function from a text (and the effective policy) to a verdict with findings
 * and a human-readable explanation. The pipeline (pipeline.ts) composes them in config order.
 */
import type { GuardrailAction, GuardrailFinding, OutputContext } from "../contracts";
import type { DetectorId, ResolvedPolicy } from "./config";
import type { FeatureMemo } from "./models/linear-model";
import { GatewayError } from "../http/errors";

/** One label and score from a sequence classifier. */
export interface ClassifierLabel {
  readonly label: string;
  readonly score: number;
}

/**
 * A sequence classifier (e.g. TEI `/predict` on an injection or toxicity model): for each text, every label
 * with its score. `model` names the deployment. Plug the TEI client in with `fromTeiPredict`.
 */
export interface TextClassifier {
  classify(texts: readonly string[], model: string, signal?: AbortSignal): Promise<readonly (readonly ClassifierLabel[])[]>;
}

export type Stage = "input" | "output" | "retrieved";

/** What a detector sees. `text` is well-formed UTF-16 (lone surrogates replaced). */
export interface DetectorInput {
  readonly text: string;
  readonly stage: Stage;
  readonly policy: ResolvedPolicy;
  /** Output stage: the request's response_format etc. */
  readonly output?: OutputContext;
  /** Output stage: true when this is the whole answer (not a streaming window). */
  readonly complete: boolean;
  /**
   * "data": content the caller did not write — retrieved RAG chunks, `tool` message content — in which
   * instructions addressed to the model are themselves the attack (indirect injection). @default "user"
   */
  readonly origin?: "user" | "data";
  /** Shared by the detectors of one scan of `text`: the n-gram models featurize it once (pipeline.ts). */
  readonly memo?: FeatureMemo;
}

/** A stretch of text to replace by `<TYPE>`. */
export interface Redaction {
  readonly start: number;
  readonly end: number;
  readonly type: string;
}

export interface Verdict {
  readonly action: GuardrailAction;
  /**
   * Flag tier (docs/decisions/0090): an allow verdict whose findings a local layer was not sure enough to block
   * on. Counted as action `flag` in the decisions metric and logged; the in-cluster classifier decides.
   */
  readonly flagged?: boolean;
  readonly findings: readonly GuardrailFinding[];
  /** Human-readable, never containing the detected values. */
  readonly explanation: string;
  /** For redact verdicts: where to put placeholders. */
  readonly redactions?: readonly Redaction[];
  /** For block verdicts: stable code and a message safe for the caller. */
  readonly block?: { readonly code: string; readonly message: string };
}

export interface DetectorDeps {
  readonly classifier?: TextClassifier;
  readonly logger?: GuardrailLogger;
}

/** A detector module's export. */
export interface Detector {
  readonly id: DetectorId;
  run(input: DetectorInput, deps: DetectorDeps): Verdict | Promise<Verdict>;
}

/** The logger subset we use (pino-compatible). Values detected are never passed to it. */
export interface GuardrailLogger {
  warn(obj: Record<string, unknown>, msg: string): void;
}

export const ALLOW = (explanation: string): Verdict => ({ action: "allow", findings: [], explanation });

/**
 * Bad input the gateway turns into an HTTP error: malformed content (400, `invalid_content`) or more text
 * than the scan limit (413, `input_too_large`). The message names the field, never its value.
 */
export class GuardrailInputError extends GatewayError {
  constructor(status: 400 | 413, code: string, message: string, param?: string) {
    super(status, code, message, param === undefined ? {} : { param });
    this.name = "GuardrailInputError";
  }
}
