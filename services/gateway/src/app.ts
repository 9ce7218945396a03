/**
 * The app factory: builds the gateway from its collaborators (config, Redis, logger, metrics registry, tracer,
 * clock, optional guardrails and RAG, extra route plugins). Tests call it with a real Redis and loopback
 * upstreams; server.ts calls it with production collaborators. Layers, in registration order:
 *   cross-cutting plugins (errors, telemetry, auth, limits) → domain services (routing, cache, chat) → routes.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from "fastify";
import type { Redis } from "ioredis";
import { Registry } from "prom-client";
import type { Tracer } from "@opentelemetry/api";
import "./http/fastify-types";
import type { GatewayConfig, ModelConfig } from "./config/schema";
import type { Guardrails, RagAugmenter } from "./contracts";
import { errorHandler } from "./http/error-handler";
import { useDepthCheckedJson } from "./http/json-body";
import { requestSerializer } from "./http/log-redaction";
import { answerServerRefusals, clientErrorHandler, frameworkErrors, requireHost, trackEarlyAnswers } from "./http/client-errors";
import { zodSerializerCompiler, zodValidatorCompiler } from "./http/zod-type-provider";
import { telemetry, traceRequestId } from "./telemetry/plugin";
import { SampledAccessLog } from "./telemetry/access-log";
import { gatewayMetrics } from "./telemetry/metrics";
import { defaultTracer } from "./telemetry/tracing";
import { auth } from "./auth/plugin";
import { ApiKeyStore } from "./auth/api-keys";
import { JwtVerifier } from "./auth/jwt-verifier";
import { limits } from "./limits/plugin";
import { RateLimits } from "./limits/rate-limits";
import { warmTokenizer } from "./limits/token-counter";
import { buildDeployments } from "./routing/deployments";
import { cache, chat, routing } from "./chat/plugin";
import { chatCompletionsRoute } from "./http/routes/chat-completions";
import { modelsRoute } from "./http/routes/models";
import { embeddingsRoute } from "./http/routes/embeddings";
import { operationsRoutes } from "./http/routes/operations";
import { readSecret } from "./config/secrets";

export interface AppDeps {
  readonly config: GatewayConfig;
  /** A connected ioredis client (enableOfflineQueue: false, so a down Redis fails fast). */
  readonly redis: Redis;
  /** A pino logger. @default - Fastify's own pino at config.telemetry.logLevel */
  readonly logger?: FastifyBaseLogger;
  /** Metrics registry. @default - a new Registry */
  readonly registry?: Registry;
  /** @default - the global tracer "llm-gateway" */
  readonly tracer?: Tracer;
  /** Milliseconds clock for circuit breakers. @default Date.now */
  readonly clock?: () => number;
  /** API keys. @default - read from config.auth.apiKeys.hashesFile when set */
  readonly apiKeys?: ApiKeyStore;
  /** JWT verifier. @default - built from config.auth.jwt when set */
  readonly jwt?: JwtVerifier;
  /** Reads external models' API keys. @default - process.env[apiKeyEnv] */
  readonly env?: NodeJS.ProcessEnv;
  readonly guardrails?: Guardrails;
  readonly rag?: RagAugmenter;
  /** Extra route plugins, registered after the core routes (they may depend on "gateway-chat"). */
  readonly plugins?: readonly FastifyPluginAsync[];
}

/** How often Node checks connections against the request and headers timeouts (its default, 30 s, lets them run late). */
const TIMEOUT_CHECK_MS = 1_000;

export function buildApp(deps: AppDeps): FastifyInstance {
  const { config } = deps;
  const app = Fastify({
    ...(deps.logger ? { loggerInstance: deps.logger } : { logger: { level: config.telemetry.logLevel, serializers: { req: requestSerializer } } }),
    bodyLimit: config.server.bodyLimitBytes,
    trustProxy: config.server.trustProxy,
    return503OnClosing: true,
    forceCloseConnections: "idle",
    // Slow clients are cut while they send the request; answers and streams are not timed (decision 0070).
    requestTimeout: config.server.requestTimeoutMs,
    http: { headersTimeout: config.server.headersTimeoutMs, maxHeaderSize: config.server.maxHeaderBytes, connectionsCheckingInterval: TIMEOUT_CHECK_MS, requireHostHeader: false },
    genReqId: traceRequestId,
    // Protocol-level refusals in the gateway's error shape (decision 0071); Host is checked by requireHost.
    clientErrorHandler,
    frameworkErrors,
    logController: new SampledAccessLog({ requestIdLogLabel: "trace_id", sampleRate: config.telemetry.accessLogSampleRate }),
  }) as unknown as FastifyInstance;
  if (config.server.maxConnections > 0) app.server.maxConnections = config.server.maxConnections;
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler);
  useDepthCheckedJson(app, config.server.maxJsonDepth);
  trackEarlyAnswers(app);
  requireHost(app);
  answerServerRefusals(app.server, app.log);

  const registry = deps.registry ?? new Registry();
  const metrics = gatewayMetrics(registry);
  app.decorate("config", config);
  app.decorate("redis", deps.redis);
  app.decorate("metrics", metrics);
  app.decorate("metricsRegistry", registry);
  app.decorate("tracer", deps.tracer ?? defaultTracer());
  app.decorate("lifecycle", { draining: false });

  const env = deps.env ?? process.env;
  const apiKeys = deps.apiKeys ?? apiKeyStoreFrom(config.auth.apiKeys, app.log);
  const jwt = deps.jwt ?? (config.auth.jwt ? new JwtVerifier(config.auth.jwt, Object.keys(config.limits.tiers)) : undefined);
  const deployments = buildDeployments(config, metrics, (_name: string, m: ModelConfig) => (m.apiKeyEnv ? readSecret({ env: m.apiKeyEnv }, env) : undefined), deps.clock);

  // Cross-cutting.
  app.register(errorHandler);
  app.register(telemetry);
  app.register(auth, { ...(jwt ? { jwt } : {}), ...(apiKeys ? { apiKeys } : {}) });
  app.register(limits, { limits: new RateLimits(deps.redis, config.limits, config.redis.keyPrefix, metrics, app.log) });
  // Domain services.
  app.register(routing, { deployments });
  app.register(cache);
  app.register(chat, { ...(deps.guardrails ? { guardrails: deps.guardrails } : {}), ...(deps.rag ? { rag: deps.rag } : {}) });
  // Routes.
  app.register(operationsRoutes);
  app.register(modelsRoute);
  app.register(chatCompletionsRoute);
  app.register(embeddingsRoute);
  for (const plugin of deps.plugins ?? []) app.register(plugin);
  // Tokenizers load in seconds; do it before the first request rather than during it.
  app.addHook("onReady", async () => {
    for (const name of new Set(Object.values(config.models).map((m) => m.tokenizer))) warmTokenizer(name);
  });
  return app;
}

/** The API key store the config names; none when there is no file, or when an optional file is absent (logged). */
function apiKeyStoreFrom(cfg: GatewayConfig["auth"]["apiKeys"], log: FastifyBaseLogger): ApiKeyStore | undefined {
  if (!cfg.hashesFile) return undefined;
  if (!cfg.optional) return ApiKeyStore.fromFile(cfg.hashesFile);
  const store = ApiKeyStore.fromFileIfPresent(cfg.hashesFile);
  if (!store) log.warn({ file: cfg.hashesFile }, "API key hashes file not present (auth.apiKeys.optional): API keys are off");
  return store;
}
