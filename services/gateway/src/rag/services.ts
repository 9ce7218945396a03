/**
 * Builds the RAG services from their collaborators: the one place that knows how the pieces fit. The routes
 * plugin, the chat-completions augmenter and the CLI all start here.
 */
import type { Tracer } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { Guardrails } from "../contracts";
import type { VectorStore } from "../upstreams/qdrant-store";
import { ragConfigSchema, type RagConfig } from "./config";
import { IngestService, type Embedder } from "./ingest-service";
import { ragMetrics, type RagMetrics } from "./metrics";
import { RagPipeline, type QueryEmbedder, type RagPipelineDeps, type Reranker } from "./pipeline";

export interface RagDeps {
  readonly store: VectorStore;
  /** TEI embedder (TeiClient). */
  readonly embedder: Embedder & QueryEmbedder;
  /** TEI reranker (TeiClient). */
  readonly reranker: Reranker;
  /** The `rag` config section. @default - the schema defaults */
  readonly config?: RagConfig;
  /** Registry for the rag_* metrics. @default - no metrics */
  readonly registry?: Registry;
  /** Screens retrieved texts (indirect injection). @default - no screening */
  readonly guardrails?: Guardrails;
  readonly tracer?: Tracer;
  readonly modelWindow?: RagPipelineDeps["modelWindow"];
}

export interface RagServices {
  readonly config: RagConfig;
  readonly pipeline: RagPipeline;
  readonly ingest: IngestService;
  readonly metrics: RagMetrics | undefined;
}

export function createRagServices(deps: RagDeps): RagServices {
  const config = deps.config ?? ragConfigSchema.parse(undefined);
  const metrics = deps.registry ? ragMetrics(deps.registry) : undefined;
  const pipeline = new RagPipeline({
    store: deps.store,
    embedder: deps.embedder,
    reranker: deps.reranker,
    config,
    ...(metrics ? { metrics } : {}),
    ...(deps.guardrails ? { guardrails: deps.guardrails } : {}),
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
    ...(deps.modelWindow ? { modelWindow: deps.modelWindow } : {}),
  });
  const ingest = new IngestService({ store: deps.store, embedder: deps.embedder, config, ...(metrics ? { metrics } : {}) });
  return { config, pipeline, ingest, metrics };
}
