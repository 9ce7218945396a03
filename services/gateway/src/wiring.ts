/**
 * Production composition of the optional modules from config: guardrails (`guardrails.enabled`) and RAG
 * (`rag.enabled`: TEI embedder/reranker, Qdrant, the chat augmenter and the /v1/rag/* routes). Tests build the
 * app with their own collaborators instead; server.ts uses this.
 */
import type { FastifyPluginAsync } from "fastify";
import type { Registry } from "prom-client";
import type { Tracer } from "@opentelemetry/api";
import type { GatewayConfig } from "./config/schema";
import type { Guardrails, RagAugmenter } from "./contracts";
import { readSecret } from "./config/secrets";
import { createGuardrails, fromTeiPredict } from "./guardrails";
import { createRagServices } from "./rag/services";
import { createRagAugmenter } from "./rag/augmenter";
import { ragRoutesPlugin } from "./rag/routes";
import { QdrantStore } from "./upstreams/qdrant-store";
import { TeiClient } from "./upstreams/tei-client";

export interface OptionalModules {
  readonly guardrails?: Guardrails;
  readonly rag?: RagAugmenter;
  readonly plugins: FastifyPluginAsync[];
}

/** The guardrails from config, with the in-cluster TEI classifiers it names. */
function guardrailsFrom(config: GatewayConfig, registry: Registry, logger: GuardrailsLogger | undefined): Guardrails | undefined {
  const g = config.guardrails;
  if (!g.enabled) return undefined;
  const endpoints = Object.entries(g.classifierEndpoints);
  const classifier =
    endpoints.length > 0
      ? fromTeiPredict(Object.fromEntries(endpoints.map(([model, e]) => [model, new TeiClient({ url: e.url, timeoutMs: e.timeoutMs })])))
      : undefined;
  return createGuardrails(g, { registry, ...(logger ? { logger } : {}), ...(classifier ? { classifier } : {}) });
}

type GuardrailsLogger = NonNullable<Parameters<typeof createGuardrails>[1]>["logger"];

export function optionalModules(
  config: GatewayConfig,
  registry: Registry,
  tracer: Tracer,
  env: NodeJS.ProcessEnv = process.env,
  logger?: GuardrailsLogger,
): OptionalModules {
  const guardrails = guardrailsFrom(config, registry, logger);
  if (!config.rag.enabled) return { ...(guardrails ? { guardrails } : {}), plugins: [] };
  const r = config.rag;
  const apiKey = r.qdrant.apiKeyEnv ? readSecret({ env: r.qdrant.apiKeyEnv }, env) : undefined;
  const deps = {
    store: new QdrantStore({ url: r.qdrant.url, timeoutMs: r.qdrant.timeoutMs, ...(apiKey ? { apiKey } : {}) }),
    embedder: new TeiClient({ url: r.embedder.url, timeoutMs: r.embedder.timeoutMs }),
    reranker: new TeiClient({ url: r.reranker.url, timeoutMs: r.reranker.timeoutMs }),
    config: r,
    registry,
    tracer,
    ...(guardrails ? { guardrails } : {}),
  };
  const services = createRagServices(deps);
  return {
    ...(guardrails ? { guardrails } : {}),
    rag: createRagAugmenter(services),
    plugins: [ragRoutesPlugin({ ...deps, services }) as FastifyPluginAsync],
  };
}
