import { chartName, mergedValues } from "../helm-values";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type JsonValue, type Rule } from "../types";
import { isObject, isToken } from "../values";

/** How the Qdrant chart's apiKey is provided; "literal" means the key is written in the configuration. */
function apiKeySource(apiKey: JsonValue | undefined): "secret" | "generated" | "literal" | "reference" | undefined {
  if (apiKey === true) return "generated";
  if (typeof apiKey === "string" && apiKey !== "") return isToken(apiKey) ? "reference" : "literal";
  if (isObject(apiKey) && isObject(apiKey.valueFrom) && isObject(apiKey.valueFrom.secretKeyRef) && typeof apiKey.valueFrom.secretKeyRef.name === "string") return "secret";
  return undefined;
}

/** LLM-QDRANT-001: Qdrant keeps its data on a persistent volume and requires an API key. */
export const qdrantPersistenceAuth: Rule = {
  id: "LLM-QDRANT-001",
  severity: "error",
  title: "Qdrant has persistence and an API key",
  rationale: "Without a persistent volume a pod restart loses every ingested document vector; without an API key anything in the cluster can read or delete collections.",
  recommendedAction: "Set persistence.size (and a storage class) and apiKey.valueFrom.secretKeyRef pointing at a Kubernetes secret (never the key itself in values).",
  appliesTo: ["helm_release"],
  check(resource, context) {
    const chart = chartName(resource, context);
    if (!chart || !/qdrant/.test(chart)) return notApplicable("not a Qdrant release");
    const merged = mergedValues(resource, context);
    if (merged.state === "unknown") return unknownAtPlanTime(merged.what);
    if (merged.state === "invalid") return nonCompliant(merged.message);
    const v = merged.values;
    const problems: string[] = [];
    const p = v.persistence;
    if (!isObject(p) || p.enabled === false || p.size === undefined || p.size === null || p.size === "") {
      problems.push(isObject(p) && p.enabled === false ? "persistence.enabled is false" : "persistence.size is not set (no explicit persistent volume)");
    }
    // The key itself is never printed: only where it comes from.
    const config = isObject(v.config) && isObject(v.config.service) ? v.config.service : {};
    const source = apiKeySource(v.apiKey) ?? (config.api_key !== undefined ? apiKeySource(config.api_key as JsonValue) : undefined);
    if (source === undefined) problems.push("no apiKey (set apiKey.valueFrom.secretKeyRef)");
    if (source === "literal") problems.push("apiKey is written in the values (keep it in a Kubernetes secret, apiKey.valueFrom.secretKeyRef)");
    if (problems.length > 0) return nonCompliant(problems.join("; "));
    return compliant(`persistence ${String(isObject(p) ? p.size : "")}, apiKey from ${source === "secret" ? "a Kubernetes secret" : source === "generated" ? "the chart's generated secret" : "a Terraform reference"}`);
  },
};
