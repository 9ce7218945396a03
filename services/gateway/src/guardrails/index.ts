/**
 * Guardrails for the gateway: `createGuardrails(config.guardrails, { registry, classifier, logger })` returns
 * the `Guardrails` the request path calls. See README.md ("Guardrails").
 */
import type { Guardrails } from "../contracts";
import type { GuardrailsConfig } from "./config";
import { GuardrailPipeline, type GuardrailsDeps } from "./pipeline";
import type { ClassifierLabel, TextClassifier } from "./types";

export { guardrailsConfigSchema, resolvePolicy, DEFAULT_POLICY, type GuardrailsConfig, type ResolvedPolicy } from "./config";
export { GuardrailInputError, type TextClassifier, type ClassifierLabel, type Detector, type Verdict } from "./types";
export { GuardrailPipeline, type GuardrailsDeps } from "./pipeline";

export function createGuardrails(config: GuardrailsConfig, deps: GuardrailsDeps = {}): Guardrails {
  return new GuardrailPipeline(config, deps);
}

/**
 * Adapts TEI clients (one per classifier deployment, e.g. `new TeiClient({ url })` from upstreams/tei-client)
 * to a TextClassifier: `model` is the key into `clients`.
 */
export function fromTeiPredict(clients: Readonly<Record<string, { predict(inputs: readonly string[], signal?: AbortSignal): Promise<readonly (readonly ClassifierLabel[])[]> }>>): TextClassifier {
  return {
    async classify(texts, model, signal) {
      const client = clients[model];
      if (!client) throw new Error(`no TEI classifier configured for model "${model}"`);
      return client.predict(texts, signal);
    },
  };
}
