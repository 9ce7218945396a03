/**
 * Progress of an ingestion worker as Prometheus metrics (docs/metrics.md), on a registry of its own and served at
 * GET /metrics by `serveMetrics` so the platform's Prometheus scrapes each Job pod (the chart's PodMonitor).
 * Progress of a shard = rag_ingest_job_read_bytes_total / rag_ingest_job_input_bytes.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Counter, Gauge, Registry } from "prom-client";

export type JobLabels = "collection" | "shard";

export interface IngestJobMetrics {
  readonly registry: Registry;
  readonly documents: Counter<JobLabels | "outcome">;
  readonly chunks: Counter<JobLabels>;
  readonly inputBytes: Gauge<JobLabels>;
  readonly readBytes: Counter<JobLabels>;
  readonly completed: Gauge<JobLabels>;
}

/** The worker's metrics on a new registry. */
export function ingestJobMetrics(): IngestJobMetrics {
  const registry = new Registry();
  const labelNames: JobLabels[] = ["collection", "shard"];
  return {
    registry,
    documents: new Counter({ name: "rag_ingest_job_documents_total", help: "Documents of the shard stored (outcome=ingested) or skipped (outcome=failed)", labelNames: [...labelNames, "outcome"], registers: [registry] }),
    chunks: new Counter({ name: "rag_ingest_job_chunks_total", help: "Chunks of the shard upserted into Qdrant", labelNames, registers: [registry] }),
    inputBytes: new Gauge({ name: "rag_ingest_job_input_bytes", help: "Bytes of the input files the shard reads", labelNames, registers: [registry] }),
    readBytes: new Counter({ name: "rag_ingest_job_read_bytes_total", help: "Bytes of input files the shard has finished", labelNames, registers: [registry] }),
    completed: new Gauge({ name: "rag_ingest_job_completed", help: "1 once the shard's run has ended (whatever its outcome)", labelNames, registers: [registry] }),
  };
}

/** Serves the registry at GET /metrics on `port` (0: any free port), all interfaces. Resolves with the port and a close function. */
export async function serveMetrics(registry: Registry, port: number, host = "0.0.0.0"): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((req, res) => {
    if (req.method !== "GET" || (req.url ?? "").split("?")[0] !== "/metrics") {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(text),
      () => res.writeHead(500, { "content-type": "text/plain" }).end("metrics unavailable\n"),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, resolve);
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
