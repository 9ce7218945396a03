/**
 * The RAG metrics of docs/metrics.md, registered on the registry the app passes in (so tests get their own).
 * Registering twice on one registry returns the metrics already there.
 */
import { Counter, Histogram, type Registry } from "prom-client";

export type RagStage = "embed" | "retrieve" | "rerank" | "context" | "generate";

export interface RagMetrics {
  readonly queryDuration: Histogram<"collection">;
  readonly stageDuration: Histogram<"stage">;
  readonly documentsRetrieved: Histogram<"collection">;
  readonly rerankDegraded: Counter<"collection">;
  readonly vectorSearchDuration: Histogram<"collection">;
  readonly ingestedChunks: Counter<"collection">;
}

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

function histogram<L extends string>(registry: Registry, name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Histogram<L>;
  return new Histogram({ name, help, labelNames, buckets, registers: [registry] });
}

function counter<L extends string>(registry: Registry, name: string, help: string, labelNames: L[]): Counter<L> {
  const existing = registry.getSingleMetric(name);
  if (existing) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [registry] });
}

/** Creates (or finds) the RAG metrics on a registry. */
export function ragMetrics(registry: Registry): RagMetrics {
  return {
    queryDuration: histogram(registry, "rag_query_duration_seconds", "Whole RAG query latency", ["collection"], latencyBuckets),
    stageDuration: histogram(registry, "rag_stage_duration_seconds", "RAG latency per stage", ["stage"], latencyBuckets),
    documentsRetrieved: histogram(registry, "rag_documents_retrieved_count", "Candidates returned by the vector search", ["collection"], [0, 1, 5, 10, 25, 50, 100, 200, 500]),
    rerankDegraded: counter(registry, "rag_rerank_degraded_total", "Queries answered in dense order because the reranker was unavailable", ["collection"]),
    vectorSearchDuration: histogram(registry, "rag_vector_search_duration_seconds", "Qdrant query latency", ["collection"], latencyBuckets),
    ingestedChunks: counter(registry, "rag_ingested_chunks_total", "Chunks upserted into Qdrant", ["collection"]),
  };
}
