/**
 * The ioredis client the gateway shares (limits, cache, readiness). enableOfflineQueue is off so that, with
 * Redis down, commands fail at once (the limits' fail-open/fail-closed choice applies) instead of queueing and
 * hanging requests; a command timeout bounds a Redis that accepts connections but does not answer.
 */
import { Redis } from "ioredis";
import type { GatewayConfig } from "./config/schema";
import { readSecret } from "./config/secrets";

export function createRedis(cfg: GatewayConfig["redis"], env: NodeJS.ProcessEnv = process.env): Redis {
  const password = readSecret({ ...(cfg.passwordEnv ? { env: cfg.passwordEnv } : {}), ...(cfg.passwordFile ? { file: cfg.passwordFile } : {}) }, env);
  return new Redis(cfg.url, {
    ...(password ? { password } : {}),
    enableOfflineQueue: false,
    enableAutoPipelining: true,
    commandTimeout: cfg.commandTimeoutMs,
    maxRetriesPerRequest: 1,
    lazyConnect: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
  });
}

/** Connects, waiting until the client is ready. */
export async function connectRedis(redis: Redis): Promise<void> {
  if (redis.status === "ready") return;
  await redis.connect();
}
