/**
 * The ioredis client the gateway shares (limits, cache, readiness). enableOfflineQueue is off so that, with
 * Redis down, commands fail at once (the limits' fail-open/fail-closed choice applies) instead of queueing and
 * hanging requests; a command timeout bounds a Redis that accepts connections but does not answer.
 *
 * Auto-pipelining is off, and commands that belong together are written together with writeTogether() instead:
 * ioredis keeps at most one auto-pipeline in flight per connection and queues everything issued meanwhile behind
 * it, so under load a request's commands waited for another request's round trip, and the queued commands lived
 * long enough to survive young-generation GCs (measured at 1,000 requests/s of five commands: 1.5-2 MB surviving
 * each scavenge and 3-4 ms pauses with auto-pipelining, 0.2 MB and 1.3 ms without; see
 * docs/decisions/0039-redis-round-trips.md).
 */
import { Redis } from "ioredis";
import type { GatewayConfig } from "./config/schema";
import { readSecret } from "./config/secrets";

export function createRedis(cfg: GatewayConfig["redis"], env: NodeJS.ProcessEnv = process.env): Redis {
  const password = readSecret({ ...(cfg.passwordEnv ? { env: cfg.passwordEnv } : {}), ...(cfg.passwordFile ? { file: cfg.passwordFile } : {}) }, env);
  return new Redis(cfg.url, {
    ...(password ? { password } : {}),
    enableOfflineQueue: false,
    enableAutoPipelining: false,
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

/** Sockets corked until the end of the current event-loop turn (setImmediate). */
const corkedThisTurn = new WeakSet<object>();

/**
 * Runs `issue`, which must send its Redis commands synchronously, with the connection's socket corked until the
 * end of this event-loop turn (uncorked by setImmediate, after the callbacks of the turn's I/O and their
 * microtasks): the commands of every request handled in the same turn leave in one write (one syscall and one
 * Redis wake-up) and come back in one round trip (decision 0088). Nothing waits for another request's round trip
 * (unlike ioredis's auto-pipelining, docs/decisions/0039-redis-round-trips.md): the write goes out as soon as the
 * turn's callbacks are done, and a pending setImmediate keeps the loop from blocking in poll meanwhile. Without a
 * ready connection it just runs `issue` (the commands fail fast on their own).
 */
export function writeTogether<T>(redis: Redis, issue: () => T): T {
  const socket = redis.status === "ready" ? redis.stream : undefined;
  if (!socket || socket.destroyed) return issue();
  if (!corkedThisTurn.has(socket)) {
    corkedThisTurn.add(socket);
    socket.cork();
    setImmediate(() => {
      corkedThisTurn.delete(socket);
      socket.uncork();
    });
  }
  return issue();
}
