/**
 * The benchmark's machine calibration measures what it says: positive, finite costs, a loopback round trip (at
 * least two writes and two reads) dearer than a single system call, and stalls summarised from the gaps seen.
 */
import fc from "fast-check";
import { Redis } from "ioredis";
import { calibrate, describeCalibration, describeRoundTrips, measureRoundTrips, measureStalls, summariseStalls } from "../../bench/machine-calibration";
import { TestRedis } from "../support/redis-server";

test("the calibration's costs are positive and ordered as their system calls are", async () => {
  const c = await calibrate(200);
  for (const v of [c.syscallUs, c.tcpRoundTripUs, c.cpuStepUs]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0);
  }
  expect(c.tcpRoundTripUs).toBeGreaterThan(c.syscallUs);
  expect(describeCalibration(c)).toBe(
    `fstat(2) ${c.syscallUs.toFixed(2)} µs, loopback TCP round trip ${c.tcpRoundTripUs.toFixed(1)} µs, JSON + SHA-256 of a chat body ${c.cpuStepUs.toFixed(1)} µs; ` +
      `a thread only reading the clock was stopped for more than 1 ms ${c.stalls.over1msPerSecond.toFixed(1)} times a second (longest ${c.stalls.longestMs.toFixed(1)} ms) and lost ${c.stalls.lostPercent.toFixed(1)} % of its time to stops over 20 µs`,
  );
});

test("stalls: gaps over 1 ms are counted per second, the longest kept, only gaps over 20 µs count as lost", () => {
  // 2 s of spinning: gaps of 5 µs (the loop itself), 30 µs, 1 ms exactly (not over), 1.5 ms and 4 ms.
  const s = summariseStalls([5_000, 30_000, 1_000_000, 1_500_000, 4_000_000], 2e9);
  expect(s.over1msPerSecond).toBe(1);
  expect(s.longestMs).toBe(4);
  expect(s.lostPercent).toBeCloseTo(((30_000 + 1_000_000 + 1_500_000 + 4_000_000) / 2e9) * 100, 10);
  expect(summariseStalls([], 1e9)).toEqual({ over1msPerSecond: 0, longestMs: 0, lostPercent: 0 });
  expect(() => summariseStalls([1], 0)).toThrow(/spanNs must be positive/);
});

test("stalls: the lost share never exceeds the gaps' sum over the span and the rate counts exactly the gaps over 1 ms", () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20_000_000 }), { maxLength: 200 }), fc.integer({ min: 1, max: 10 }), (gaps, seconds) => {
      const span = seconds * 1e9;
      const s = summariseStalls(gaps, span);
      expect(s.over1msPerSecond * seconds).toBeCloseTo(gaps.filter((g) => g > 1e6).length, 9);
      expect(s.longestMs).toBe(Math.max(0, ...gaps) / 1e6);
      expect(s.lostPercent).toBeLessThanOrEqual((gaps.reduce((a, b) => a + b, 0) / span) * 100 + 1e-9);
    }),
  );
});

test("measuring stalls spins for the span asked and reports a consistent summary", () => {
  const started = process.hrtime.bigint();
  const s = measureStalls(100);
  const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
  expect(elapsedMs).toBeGreaterThanOrEqual(100);
  expect(s.lostPercent).toBeGreaterThanOrEqual(0);
  expect(s.lostPercent).toBeLessThanOrEqual(100);
  expect(s.longestMs).toBeLessThanOrEqual(elapsedMs);
});

test("round trips to a real Redis are timed one at a time: as many as asked, ordered quantiles, described in µs", async () => {
  const redis = await TestRedis.start();
  const client = new Redis(redis.url, { lazyConnect: true });
  let calls = 0;
  try {
    const q = await measureRoundTrips(async () => {
      calls++;
      return client.ping();
    }, 50, 0);
    expect(calls).toBe(51); // one warm-up, not measured
    expect(q.n).toBe(50);
    expect(q.p50).toBeGreaterThan(0);
    expect(q.p50).toBeLessThanOrEqual(q.p99);
    expect(q.p99).toBeLessThanOrEqual(q.max);
    expect(describeRoundTrips("Redis PING", q)).toBe(`Redis PING, 50 one at a time on the idle machine: p50 ${q.p50.toFixed(0)} µs, p99 ${q.p99.toFixed(0)} µs, p99.9 ${q.p999.toFixed(0)} µs, max ${q.max.toFixed(0)} µs`);
  } finally {
    client.disconnect();
    await redis.stop();
  }
});

test("a round trip that fails stops the measurement with its error", async () => {
  await expect(measureRoundTrips(() => Promise.reject(new Error("connection refused")), 5, 0)).rejects.toThrow("connection refused");
});
