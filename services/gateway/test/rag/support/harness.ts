/**
 * Builds a Fastify app with the RAG routes against the TEI and Qdrant stand-ins and the loopback model, with a
 * test auth hook that maps "Authorization: Bearer <name>" to one of `principals` (the core's auth puts the same
 * `request.principal` in production).
 */
import Fastify, { type FastifyInstance } from "fastify";
import { request } from "undici";
import { Registry } from "prom-client";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import type { Guardrails, Principal } from "../../../src/contracts";
import { ragConfigSchema, type RagConfig } from "../../../src/rag/config";
import { openAiGenerator } from "../../../src/rag/generator";
import { ragRoutes } from "../../../src/rag/routes";
import { createRagServices, type RagServices } from "../../../src/rag/services";
import { QdrantStore } from "../../../src/upstreams/qdrant-store";
import { TeiClient } from "../../../src/upstreams/tei-client";
import { QdrantStandin } from "../../support/qdrant-standin";
import { TeiStandin } from "../../support/tei-standin";
import { OpenAiLoopback } from "./openai-loopback";

function principal(subject: string, groups: string[], scopes: string[] = ["chat", "rag:query", "rag:ingest"]): Principal {
  return { subject, tenant: "acme", tier: "standard", groups, models: "*", scopes, method: "jwt" };
}

export const principals: Record<string, Principal> = {
  admin: principal("admin", ["staff", "support", "engineering", "executives"]),
  staff: principal("alice", ["staff"]),
  support: principal("sam", ["support"]),
  exec: principal("erin", ["executives"]),
  nobody: principal("nina", []),
  reader: principal("rita", ["staff"], ["rag:query"]),
  writer: principal("will", ["staff"], ["rag:ingest"]),
};

export const corpus = [
  {
    id: "handbook:vacation",
    text: "# Vacation\n\nEmployees accrue 25 days of paid vacation per year. Unused days carry over until March.\n\n## Requests\n\nSubmit vacation requests in the HR portal two weeks ahead.",
    metadata: { groups: ["staff"], title: "Vacation policy", source: "handbook/vacation.md", tags: ["hr"] },
  },
  {
    id: "support:refunds",
    text: "# Refund policy\n\nCustomers on annual plans can request a full refund within 30 days of purchase. Monthly plans are not refunded.",
    metadata: { groups: ["support", "staff"], title: "Refund policy", source: "support/refunds.md", tags: ["billing"] },
  },
  {
    id: "eng:deploy",
    text: "# Deployment\n\nProduction deploys run through the blue-green pipeline every Tuesday. Rollbacks take five minutes.",
    metadata: { groups: ["engineering"], title: "Deployment guide", source: "eng/deploy.md" },
  },
  {
    id: "exec:falcon",
    text: "# Project Falcon\n\nThe acquisition of Contoso closes in March for 40 million dollars. Employees learn about it in April.",
    metadata: { groups: ["executives"], title: "Project Falcon", source: "exec/falcon.md" },
  },
];

/** A response read over the socket. */
export interface TestResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
  json<T = any>(): T; // eslint-disable-line @typescript-eslint/no-explicit-any -- test convenience, like light-my-request's
}

export interface Harness {
  readonly app: FastifyInstance;
  /** Base URL of the listening app. */
  readonly baseUrl: string;
  /** An HTTP call over a real socket (light-my-request's inject() cannot load under jest: its `cookie` dependency is ESM-only). */
  call(options: { method: string; url: string; headers?: Record<string, string>; payload?: unknown }): Promise<TestResponse>;
  readonly embedTei: TeiStandin;
  readonly rerankTei: TeiStandin;
  readonly qdrant: QdrantStandin;
  readonly model: OpenAiLoopback;
  readonly registry: Registry;
  readonly spans: InMemorySpanExporter;
  readonly services: RagServices;
  readonly config: RagConfig;
  close(): Promise<void>;
}

export async function startHarness(options: { config?: Record<string, unknown>; guardrails?: Guardrails; embedBatch?: number } = {}): Promise<Harness> {
  const [embedTei, rerankTei, qdrant, model] = await Promise.all([
    TeiStandin.start({ kind: "embedding", maxClientBatchSize: options.embedBatch ?? 8 }),
    TeiStandin.start({ kind: "reranker", maxClientBatchSize: 16 }),
    QdrantStandin.start(),
    OpenAiLoopback.start(),
  ]);
  const config = ragConfigSchema.parse({ enabled: true, ...(options.config ?? {}) });
  const registry = new Registry();
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer("rag-test");
  const embedder = new TeiClient({ url: embedTei.url });
  const reranker = new TeiClient({ url: rerankTei.url, timeoutMs: 2000 });
  const store = new QdrantStore({ url: qdrant.url, timeoutMs: 2000 });
  const generator = openAiGenerator({ baseUrl: model.url });
  const deps = { store, embedder, reranker, config, registry, tracer, ...(options.guardrails ? { guardrails: options.guardrails } : {}) };
  const services = createRagServices(deps);
  const app = Fastify();
  app.addHook("onRequest", async (request) => {
    const name = /^Bearer (\w+)$/.exec(request.headers.authorization ?? "")?.[1];
    if (name && principals[name]) (request as unknown as { principal: Principal }).principal = principals[name];
  });
  await app.register(ragRoutes, { ...deps, services, generator });
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  const baseUrl = `http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`;
  return {
    app,
    baseUrl,
    async call({ method, url, headers = {}, payload }) {
      const res = await request(baseUrl + url, {
        method: method as "GET",
        headers: { ...headers, ...(payload !== undefined ? { "content-type": "application/json" } : {}) },
        ...(payload !== undefined ? { body: JSON.stringify(payload) } : {}),
      });
      const body = await res.body.text();
      return { statusCode: res.statusCode, headers: res.headers, body, json: () => JSON.parse(body) };
    },
    embedTei,
    rerankTei,
    qdrant,
    model,
    registry,
    spans,
    services,
    config,
    async close() {
      await app.close();
      await Promise.all([embedder.close(), reranker.close(), generator.close()]);
      await Promise.all([embedTei.stop(), rerankTei.stop(), qdrant.stop(), model.stop()]);
    },
  };
}

export function auth(name: keyof typeof principals): Record<string, string> {
  return { authorization: `Bearer ${name}` };
}
