/**
 * writeTogether (src/redis-client.ts): the Redis commands of every caller in one event-loop turn leave in one write
 * to the socket, and go out by the end of that turn (no caller waits for another's round trip). Real Redis; writes
 * counted by the kernel (/proc/self/io syscw, Linux).
 */
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import { startRedisWithClient, type TestRedis } from "../support/redis-server";
import { connectRedis, createRedis, writeTogether } from "../../src/redis-client";
import { gatewayConfigSchema } from "../../src/config/schema";

let server: TestRedis;
let redis: Redis;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ server, redis, close } = await startRedisWithClient());
});

afterAll(async () => close());

/** Write system calls this process has made (the kernel's count). */
function writes(): number {
  return Number(/^syscw: (\d+)$/m.exec(readFileSync("/proc/self/io", "utf8"))?.[1]);
}

const linux = process.platform === "linux" ? test : test.skip;

linux("ten callers in one turn share one write, and every command gets its own answer", async () => {
  await redis.del("wt:a");
  const before = writes();
  const answers = Array.from({ length: 10 }, (_, i) => writeTogether(redis, () => Promise.all([redis.incr("wt:a"), redis.set(`wt:k${i}`, String(i))])));
  const results = await Promise.all(answers);
  const used = writes() - before;
  expect(results.map(([n]) => n).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(results.every(([, ok]) => ok === "OK")).toBe(true);
  // One write for the ten callers (a corked write per caller would make ten).
  expect(used).toBeGreaterThanOrEqual(1);
  expect(used).toBeLessThanOrEqual(2);
});

test("commands leave by the end of the turn: a caller in a later turn is not held behind an earlier round trip", async () => {
  const first = writeTogether(redis, () => redis.ping());
  await new Promise((r) => setImmediate(r));
  const second = writeTogether(redis, () => redis.ping());
  await expect(Promise.all([first, second])).resolves.toEqual(["PONG", "PONG"]);
  // Nested calls in one turn are fine too.
  await expect(writeTogether(redis, () => Promise.all([redis.ping(), writeTogether(redis, () => redis.echo("x"))]))).resolves.toEqual(["PONG", "x"]);
});

test("a connection closed before the end of the turn: the uncork at the end of the turn does not throw, the command settles", async () => {
  const other = createRedis(gatewayConfigSchema.shape.redis.parse({ url: server.url, commandTimeoutMs: 2_000 }));
  await connectRedis(other);
  const p = writeTogether(other, () => other.ping());
  other.disconnect();
  await new Promise((r) => setImmediate(r));
  const [settled] = await Promise.allSettled([p]);
  expect(["fulfilled", "rejected"]).toContain(settled?.status);
  // A closed connection: writeTogether just runs the commands, which fail fast.
  await expect(writeTogether(other, () => other.ping())).rejects.toThrow();
});
