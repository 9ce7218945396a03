/**
 * The rate limits' one Redis command: a Lua script that adds points to any number of fixed-window counters
 * atomically and answers each counter's total and time left. One call carries every counter a request charges
 * (requests and tokens, principal and tenant: four counters) or a whole batch of usage corrections.
 *
 * Hand-rolled in place of rate-limiter-flexible (docs/decisions/0104-one-rate-limit-script.md): the library runs one
 * script per counter and per call (four EVALSHAs, four ioredis Commands and four result objects per chat request),
 * which the gateway's benchmark measured as the largest single share of its CPU after the sockets. The per-counter
 * logic is the library's own RateLimiterRedis script (rate-limiter-flexible@11.4.0:lib/RateLimiterRedis.js), so the
 * counting semantics are unchanged: a counter is created at 0 with the window's expiry, incremented by the points
 * (negative points refund), and given back its expiry if it somehow lost it.
 */
import type { Redis } from "ioredis";

export const COUNTER_SCRIPT = `
local window = tonumber(ARGV[1])
local out = {}
for i = 1, #KEYS do
  redis.call('set', KEYS[i], 0, 'EX', window, 'NX')
  local total = redis.call('incrby', KEYS[i], ARGV[i + 1])
  local ttl = redis.call('pttl', KEYS[i])
  if ttl == -1 then
    redis.call('expire', KEYS[i], window)
    ttl = 1000 * window
  end
  out[2 * i - 1] = total
  out[2 * i] = ttl
end
return out
`;

/** A counter's state after the call: its total points in the window and the milliseconds until the window ends. */
export interface CounterState {
  readonly total: number;
  readonly msLeft: number;
}

const COMMAND = "gatewayAddToCounters";

/** The client once the script is defined on it (ioredis adds a method per defineCommand). */
type WithCommand = { [COMMAND](numKeys: number, ...args: Array<string | number>): Promise<unknown> };

/** Defines the script on the client (ioredis sends EVALSHA and falls back to EVAL when Redis lacks it). */
export function defineCounterScript(redis: Redis): void {
  if (typeof (redis as unknown as Partial<WithCommand>)[COMMAND] !== "function") redis.defineCommand(COMMAND, { lua: COUNTER_SCRIPT });
}

/**
 * Adds points[i] to keys[i] (all in one window of `windowS` seconds) in one command, sent synchronously (so a
 * caller inside writeTogether gets it into that write).
 */
export function addToCounters(redis: Redis, windowS: number, keys: readonly string[], points: readonly number[]): Promise<CounterState[]> {
  return (redis as unknown as WithCommand)[COMMAND](keys.length, ...keys, windowS, ...points).then((reply) => parseReply(reply, keys.length));
}

function parseReply(reply: unknown, n: number): CounterState[] {
  if (!Array.isArray(reply) || reply.length !== 2 * n) throw new Error(`rate limit script: expected ${2 * n} integers, got ${JSON.stringify(reply)}`);
  const out: CounterState[] = new Array(n);
  for (let i = 0; i < n; i++) out[i] = { total: Number(reply[2 * i]), msLeft: Number(reply[2 * i + 1]) };
  return out;
}
