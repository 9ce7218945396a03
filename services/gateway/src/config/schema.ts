/**
 * The gateway's configuration file, as a zod schema. This module has no side effects and imports only zod (and
 * the guardrails/rag sections, which import only zod), so the platform's synth step can validate the file the
 * llm-gateway chart renders against exactly this schema. Secrets are never inline: the file names environment
 * variables or files that hold them.
 * Reference: README.md ("The gateway").
 */
import { z } from "zod";
import { guardrailsConfigSchema } from "../guardrails/config";
import { ragConfigSchema } from "../rag/config";

const httpUrl = z.url({ protocol: /^https?$/ });
const redisUrl = z.url({ protocol: /^rediss?$/ });
const envName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, "must be an environment variable name (A-Z, 0-9, _)");
const tokenizerName = z.enum(["llama3", "llama2", "mistral"]);
/** Model aliases and tier names: lowercase ids usable in metric labels and URLs. */
const modelId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/, "must be 1-128 characters of A-Z a-z 0-9 . _ : -");
/** Only asymmetric algorithms: `none` and HMAC (shared secrets) can never verify tokens from a public JWKS. */
export const jwtAlgorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"] as const;
/** Route scopes a principal may hold. */
export const routeScopes = ["chat", "embeddings", "models:read", "rag:query", "rag:ingest"] as const;

const limitPairSchema = z.strictObject({
  /** Requests per minute. */
  rpm: z.number().int().positive(),
  /** Tokens (prompt + completion) per minute. */
  tpm: z.number().int().positive(),
});

const tierSchema = z.strictObject({
  /** Limits for each principal (JWT subject or API key) of this tier. */
  principal: limitPairSchema,
  /** Limits shared by every principal of a tenant whose callers are on this tier. */
  tenant: limitPairSchema,
});

const pricingSchema = z.strictObject({
  /** USD per million prompt tokens. */
  promptPerMillion: z.number().min(0).default(0),
  /** USD per million completion tokens. */
  completionPerMillion: z.number().min(0).default(0),
});

const modelSchema = z.strictObject({
  /** chat: /v1/chat/completions; embedding: /v1/embeddings. */
  kind: z.enum(["chat", "embedding"]).default("chat"),
  /** The model name the upstream serves (vLLM's --served-model-name), sent as `model`. */
  upstreamModel: z.string().min(1),
  /** Replicas (base URLs, without /v1) serving this model, balanced by least outstanding requests. */
  upstreams: z.array(httpUrl).min(1),
  /** Tokenizer counting prompt tokens for the TPM limit before the call. */
  tokenizer: tokenizerName.default("llama3"),
  /** A commercial API outside the cluster: never chosen for requests that contain PII. */
  external: z.boolean().default(false),
  /** For external models: environment variable holding the upstream's API key. */
  apiKeyEnv: envName.optional(),
  /** Models tried next, in order, when every replica of this one fails before the first byte. */
  fallbacks: z.array(modelId).default([]),
  pricing: pricingSchema.prefault({}),
  /** Connections kept per replica. */
  connections: z.number().int().positive().default(64),
});

const claimsSchema = z.strictObject({
  subject: z.string().min(1).default("sub"),
  tenant: z.string().min(1).default("tenant"),
  tier: z.string().min(1).default("tier"),
  groups: z.string().min(1).default("groups"),
  /** Claim listing model aliases (array or space-separated string); absent means every model. */
  models: z.string().min(1).default("models"),
  /** OAuth2 scope claim (space-separated string or array). */
  scopes: z.string().min(1).default("scope"),
});

const jwtSchema = z.strictObject({
  /** Expected `iss`. */
  issuer: z.string().min(1),
  /** Expected `aud` (any of). */
  audience: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]),
  /** The issuer's JWKS URL. */
  jwksUrl: httpUrl,
  algorithms: z.array(z.enum(jwtAlgorithms)).min(1).default(["RS256", "ES256"]),
  /** Allowed clock skew for exp/nbf/iat, in seconds. */
  clockToleranceSec: z.number().int().min(0).max(300).default(30),
  /** Least time between two JWKS refetches (an unknown `kid` triggers a refetch at most this often). */
  jwksCooldownMs: z.number().int().min(0).default(30_000),
  /** How long fetched keys are trusted before a refetch. */
  jwksCacheMaxAgeMs: z.number().int().positive().default(600_000),
  /** JWKS fetch timeout. */
  jwksTimeoutMs: z.number().int().positive().default(5_000),
  /**
   * How long a verified token's principal is reused without verifying the signature again (never beyond the
   * token's `exp`); bounds how long a token signed by a key removed from the JWKS keeps working. 0 disables.
   */
  verifiedTokenCacheMs: z.number().int().min(0).max(600_000).default(60_000),
  /** Most verified tokens kept (least recently used go first). */
  verifiedTokenCacheSize: z.number().int().positive().default(10_000),
  claims: claimsSchema.prefault({}),
  /** Tenant used when the token has no tenant claim; absent means such tokens are rejected. */
  defaultTenant: z.string().min(1).optional(),
  /** Tier used when the token has no tier claim. */
  defaultTier: z.string().min(1).default("standard"),
});

const autoRoutingSchema = z.strictObject({
  /** Whether `model: "auto"` is accepted. */
  enabled: z.boolean().default(true),
  /** Model for complex requests. */
  highModel: modelId.default("llama-3-70b"),
  /** Model for everything else. */
  lowModel: modelId.default("mistral-7b"),
  /** Complexity score (0..1) at or above which highModel is used. */
  threshold: z.number().min(0).max(1).default(0.3),
  /** Optional external model for the most complex requests (never with PII). */
  externalModel: modelId.optional(),
  /** Complexity at or above which externalModel is used. */
  externalThreshold: z.number().min(0).max(1).default(0.85),
  /** Prompt length (tokens, approximated as characters/4) that scores the full length weight. */
  longPromptTokens: z.number().int().positive().default(1500),
  /** Domain terms that make a request look specialised. */
  domainTerms: z.array(z.string().min(1)).default([
    "derivative", "integral", "theorem", "proof", "regression", "eigenvalue", "kubernetes", "terraform",
    "latency", "concurrency", "contract", "liability", "indemnif", "diagnos", "pharmacokinetic", "amortization",
    "hedging", "gdpr", "hipaa", "architecture", "algorithm", "complexity",
  ]),
  /** Weights of the features (length, multi-step structure, code, domain terms); they need not sum to 1. */
  weights: z
    .strictObject({
      length: z.number().min(0).default(0.35),
      steps: z.number().min(0).default(0.25),
      code: z.number().min(0).default(0.3),
      domain: z.number().min(0).default(0.25),
    })
    .prefault({}),
});

export const gatewayConfigSchema = z
  .strictObject({
    server: z
      .strictObject({
        host: z.string().min(1).default("0.0.0.0"),
        port: z.number().int().min(0).max(65535).default(8080),
        /** Largest request body accepted; larger ones get 413. */
        bodyLimitBytes: z.number().int().min(1024).default(1_048_576),
        /**
         * Deepest nesting of objects and arrays a JSON body may have (the top level is 1); deeper bodies get 400
         * json_too_deep. Without a limit a few thousand levels in a free-form field overflow the stack (a 500).
         */
        maxJsonDepth: z.number().int().min(8).max(1_000).default(64),
        /** On SIGTERM: how long in-flight requests and streams may run before the process exits anyway. */
        shutdownGraceMs: z.number().int().min(0).default(25_000),
        /**
         * On SIGTERM, first keep serving this long (GET /readyz answers 503 "draining" meanwhile), so that kube-proxy
         * and load balancers, which learn of a terminating pod asynchronously, stop sending it new connections before
         * it stops accepting them; then drain as above. SIGINT (a local Ctrl-C) skips it. The platform sets 5000.
         */
        shutdownDelayMs: z.number().int().min(0).max(120_000).default(0),
        trustProxy: z.boolean().default(false),
        /**
         * Longest time a client may take to send a whole request, headers and body; then 408 and the connection is
         * closed (with or without credentials). It ends when the request has been read, so it never cuts a long
         * answer or stream. 0 turns it off.
         */
        requestTimeoutMs: z.number().int().min(0).default(30_000),
        /** Longest time a client may take to send the request line and headers (slow-header clients). */
        headersTimeoutMs: z.number().int().min(100).default(10_000),
        /** Largest request line plus headers; larger ones get 431. */
        maxHeaderBytes: z.number().int().min(1_024).max(1_048_576).default(16_384),
        /** Open connections per process; more are closed at once, unanswered. 0: no limit. */
        maxConnections: z.number().int().min(0).default(8_192),
      })
      .prefault({})
      .refine((s) => s.requestTimeoutMs === 0 || s.headersTimeoutMs <= s.requestTimeoutMs, {
        message: "server.headersTimeoutMs must not exceed server.requestTimeoutMs (headers are part of the request)",
        path: ["headersTimeoutMs"],
      }),
    redis: z
      .strictObject({
        url: redisUrl.default("redis://redis:6379"),
        /** Environment variable holding the Redis password. */
        passwordEnv: envName.optional(),
        /** File holding the Redis password (a mounted secret). */
        passwordFile: z.string().min(1).optional(),
        keyPrefix: z.string().default("llmgw:"),
        /** Command timeout, so a hung Redis cannot hang requests. */
        commandTimeoutMs: z.number().int().positive().default(500),
      })
      .prefault({}),
    auth: z
      .strictObject({
        jwt: jwtSchema.optional(),
        apiKeys: z
          .strictObject({
            /** YAML/JSON file listing API keys by SHA-256 hash (see README.md ("The gateway")). */
            hashesFile: z.string().min(1).optional(),
            /**
             * A missing hashesFile means no API keys (logged at start-up) instead of a start-up error: the chart
             * mounts the keys from an optional secret, which leaves the file absent when the secret is. A file that is
             * present but unreadable or invalid is still an error.
             */
            optional: z.boolean().default(false),
          })
          .prefault({}),
      })
      .prefault({}),
    limits: z
      .strictObject({
        /** What to do when Redis is unreachable during a limit check. */
        failureMode: z.enum(["fail-open", "fail-closed"]).default("fail-open"),
        /** Characters of each message tokenized exactly for the TPM pre-charge; the rest is extrapolated. */
        exactTokenCountChars: z.number().int().min(256).default(8192),
        /**
         * Usage corrections (estimate → actual tokens) are summed per counter and sent to Redis at most this often,
         * in one pipelined write, instead of two commands after every request; 0 sends each at once.
         */
        usageCorrectionBatchMs: z.number().int().min(0).max(1_000).default(20),
        tiers: z.record(modelId, tierSchema).default({
          standard: { principal: { rpm: 600, tpm: 200_000 }, tenant: { rpm: 6_000, tpm: 2_000_000 } },
        }),
      })
      .prefault({}),
    /** Deployments by alias. */
    models: z.record(modelId, modelSchema).refine((m) => Object.keys(m).length > 0, "at least one model is required"),
    /** Extra names for models (e.g. default: llama-3-70b). */
    aliases: z.record(modelId, modelId).default({}),
    routing: z
      .strictObject({
        auto: autoRoutingSchema.prefault({}),
        /** Attempts per model (first try included) on connect errors and 429/502/503 before the first byte. */
        maxAttemptsPerModel: z.number().int().min(1).max(10).default(2),
        /** Base of the exponential backoff between attempts (full jitter). */
        backoffBaseMs: z.number().int().min(0).default(50),
        backoffMaxMs: z.number().int().min(0).default(1_000),
        /** Whole-request deadline for non-streaming requests, retries and fallbacks included. */
        requestTimeoutMs: z.number().int().positive().default(120_000),
        /** Time to the upstream's response headers (a streamed request's deadline for the first byte). */
        firstByteTimeoutMs: z.number().int().positive().default(30_000),
        /** Longest silence between two chunks of an upstream body. */
        idleTimeoutMs: z.number().int().positive().default(60_000),
        circuitBreaker: z
          .strictObject({
            /** Consecutive failures that open an upstream's circuit. */
            failureThreshold: z.number().int().min(1).default(5),
            /** How long an open circuit rejects before letting one probe through (half-open). */
            resetTimeoutMs: z.number().int().positive().default(30_000),
          })
          .prefault({}),
      })
      .prefault({}),
    cache: z
      .strictObject({
        enabled: z.boolean().default(true),
        ttlSeconds: z.number().int().positive().default(86_400),
        /** Header that opts a request with temperature > 0 into the cache (value "true"). */
        optInHeader: z.string().min(1).default("x-gateway-cache"),
        /** Answers larger than this are not stored. */
        maxEntryBytes: z.number().int().positive().default(512 * 1024),
        /** Stores are written to Redis in one batch at most this often (this replica serves them meanwhile); 0 writes each at once. */
        storeBatchMs: z.number().int().min(0).max(1_000).default(20),
      })
      .prefault({}),
    telemetry: z
      .strictObject({
        serviceName: z.string().min(1).default("llm-gateway"),
        logLevel: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
        /**
         * Share (0-1) of requests that did not fail whose access-log line is written at info; the others' lines are
         * at debug, and failed requests (errors, 5xx) are always logged (src/telemetry/access-log.ts, decision 0085).
         */
        accessLogSampleRate: z.number().min(0).max(1).default(0.01),
      })
      .prefault({}),
    guardrails: guardrailsConfigSchema,
    rag: ragConfigSchema,
  })
  .superRefine((cfg, ctx) => {
    const known = new Set([...Object.keys(cfg.models), ...Object.keys(cfg.aliases)]);
    for (const [alias, target] of Object.entries(cfg.aliases)) {
      if (!(target in cfg.models)) ctx.addIssue({ code: "custom", path: ["aliases", alias], message: `alias target "${target}" is not a key of models` });
      if (alias in cfg.models) ctx.addIssue({ code: "custom", path: ["aliases", alias], message: `alias "${alias}" shadows a model of the same name` });
    }
    for (const [name, m] of Object.entries(cfg.models)) {
      m.fallbacks.forEach((f, i) => {
        if (!(f in cfg.models)) ctx.addIssue({ code: "custom", path: ["models", name, "fallbacks", i], message: `fallback "${f}" is not a key of models` });
        else if (f === name) ctx.addIssue({ code: "custom", path: ["models", name, "fallbacks", i], message: "a model cannot fall back to itself" });
      });
      if (m.external && !m.apiKeyEnv) ctx.addIssue({ code: "custom", path: ["models", name, "apiKeyEnv"], message: "external models need apiKeyEnv" });
    }
    if ("auto" in cfg.models || "auto" in cfg.aliases) ctx.addIssue({ code: "custom", path: ["models"], message: '"auto" is reserved for complexity routing' });
    const auto = cfg.routing.auto;
    if (auto.enabled) {
      for (const key of ["highModel", "lowModel"] as const) {
        if (!known.has(auto[key])) ctx.addIssue({ code: "custom", path: ["routing", "auto", key], message: `"${auto[key]}" is not a configured model or alias` });
      }
      if (auto.externalModel !== undefined && !cfg.models[auto.externalModel]?.external) {
        ctx.addIssue({ code: "custom", path: ["routing", "auto", "externalModel"], message: `"${auto.externalModel}" is not an external model` });
      }
    }
    if (cfg.auth.jwt?.defaultTier !== undefined && !(cfg.auth.jwt.defaultTier in cfg.limits.tiers)) {
      ctx.addIssue({ code: "custom", path: ["auth", "jwt", "defaultTier"], message: `tier "${cfg.auth.jwt.defaultTier}" is not a key of limits.tiers` });
    }
    if (cfg.redis.passwordEnv && cfg.redis.passwordFile) {
      ctx.addIssue({ code: "custom", path: ["redis"], message: "set passwordEnv or passwordFile, not both" });
    }
  });

/** The validated config, defaults applied. */
export type GatewayConfig = z.output<typeof gatewayConfigSchema>;
/** The config as written in the file (defaults optional). */
export type GatewayConfigInput = z.input<typeof gatewayConfigSchema>;
export type ModelConfig = z.output<typeof modelSchema>;
export type TierConfig = z.output<typeof tierSchema>;
export type JwtConfig = z.output<typeof jwtSchema>;
export type AutoRoutingConfig = z.output<typeof autoRoutingSchema>;
export type RouteScope = (typeof routeScopes)[number];
