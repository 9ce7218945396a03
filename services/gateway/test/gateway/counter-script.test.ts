/**
 * The rate limits' counter script (src/limits/counter-script.ts) against a real Redis: window creation, increments
 * and refunds on several keys in one call, the expiry rate-limiter-flexible's script gives, and one command per
 * chat request (INFO commandstats) for the request and token charges of principal and tenant together.
 */
import type { Redis } from "ioredis";
import { startRedisWithClient, type TestRedis } from "../support/redis-server";
import { addToCounters, defineCounterScript } from "../../src/limits/counter-script";
import { KEYS, bearer, startGateway, testConfig } from "../support/gateway-fixture";
import { OpenAIStandin } from "../support/openai-standin";

let server: TestRedis;
let redis: Redis;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ server, redis, close } = await startRedisWithClient());
  defineCounterScript(redis);
});

afterAll(async () => close());

test("one call adds to every key, answers totals and time left, and a new key gets the window's expiry", async () => {
  await redis.set("cs:b", "5", "EX", 30);
  const [a, b] = await addToCounters(redis, 60, ["cs:a", "cs:b"], [3, 2]);
  expect(a).toEqual({ total: 3, msLeft: expect.any(Number) });
  expect(a?.msLeft).toBeGreaterThan(59_000);
  expect(a?.msLeft).toBeLessThanOrEqual(60_000);
  // An existing window keeps its expiry: counters are fixed windows, not sliding ones.
  expect(b?.total).toBe(7);
  expect(b?.msLeft).toBeLessThanOrEqual(30_000);
  expect(await redis.pttl("cs:a")).toBeGreaterThan(59_000);
});

test("negative points refund, a key that lost its expiry gets it back, and the script works after SCRIPT FLUSH", async () => {
  await redis.set("cs:c", "10");
  await redis.script("FLUSH");
  const [c] = await addToCounters(redis, 60, ["cs:c"], [-4]);
  expect(c?.total).toBe(6);
  expect(c?.msLeft).toBe(60_000);
  expect(await redis.ttl("cs:c")).toBeGreaterThan(0);
});

test("counters stay exact under concurrent calls", async () => {
  await Promise.all(Array.from({ length: 200 }, () => addToCounters(redis, 60, ["cs:d", "cs:e"], [1, 2])));
  expect(Number(await redis.get("cs:d"))).toBe(200);
  expect(Number(await redis.get("cs:e"))).toBe(400);
});

test("a Redis error rejects the call", async () => {
  await redis.set("cs:notanumber", "x");
  await expect(addToCounters(redis, 60, ["cs:notanumber"], [1])).rejects.toThrow(/not an integer/);
});

describe("through the gateway", () => {
  let upstream: OpenAIStandin;
  beforeAll(async () => {
    upstream = await OpenAIStandin.start();
  });
  afterAll(async () => upstream.stop());

  test("a chat request charges its request and tokens, principal and tenant, in one Redis command", async () => {
    const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "one-cmd:" }, limits: { usageCorrectionBatchMs: 1_000 } });
    const gw = await startGateway(cfg, server.url);
    try {
      // Warm-up: the first call loads the script (EVALSHA fails with NOSCRIPT, then EVAL).
      expect((await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: { model: "mistral-7b", messages: [{ role: "user", content: "warm" }] } })).status).toBe(200);
      // Redis's per-command counts (commands a script runs are counted too, under their own names).
      const calls = async (): Promise<Record<string, number>> => {
        const info = await redis.info("commandstats");
        return Object.fromEntries([...info.matchAll(/^cmdstat_([a-z|]+):calls=(\d+)/gm)].map((m) => [m[1] as string, Number(m[2])]));
      };
      const before = await calls();
      const res = await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: { model: "mistral-7b", messages: [{ role: "user", content: "count my commands" }] } });
      const after = await calls();
      const used = (name: string): number => (after[name] ?? 0) - (before[name] ?? 0);
      expect(res.status).toBe(200);
      // Not cache-eligible (no temperature 0): no lookup, no store.
      expect(res.headers.get("x-cache")).toBe("bypass");
      expect(res.headers.get("x-ratelimit-remaining-requests")).not.toBeNull();
      expect(res.headers.get("x-ratelimit-remaining-tokens")).not.toBeNull();
      // One script call for the four counters, and nothing else sent by the client (INFO aside).
      expect(used("evalsha") + used("eval")).toBe(1);
      expect(used("incrby")).toBe(4);
      const clientSent = Object.keys(after).filter((c) => !["evalsha", "eval", "incrby", "set", "pttl", "expire", "info"].includes(c) && used(c) > 0);
      expect(clientSent).toEqual([]);
      const requests = await redis.get("one-cmd:rl:principal:requests:tenant-a:apikey:a1");
      const tenantTokens = Number(await redis.get("one-cmd:rl:tenant:tokens:tenant-a"));
      expect(Number(requests)).toBe(2);
      expect(tenantTokens).toBeGreaterThan(0);
    } finally {
      await gw.close();
    }
  });
});
