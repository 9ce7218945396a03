/**
 * The benchmark's statistics: exact quantiles, and the split of slow answers by the gateway's GC pauses.
 */
import fc from "fast-check";
import { gcShare, quantiles, type Timeline } from "../../bench/latency-stats";

test("quantiles are order statistics of the values (nearest rank)", () => {
  const q = quantiles([5, 1, 4, 2, 3, 10, 9, 8, 7, 6]);
  expect([q.n, q.p50, q.p90, q.p99, q.max]).toEqual([10, 5, 9, 10, 10]);
  expect(Number.isNaN(quantiles([]).p99)).toBe(true);
});

test("an answer is counted against a pause exactly when the pause fell within its time in flight", () => {
  const timeline: Timeline = [
    [0, 10, 5], // pause [4, 6] inside: slow, during GC
    [20, 30, 0.5], // no pause
    [40, 50, 2], // pause [49, 52] starts before the answer: slow, during GC
    [60, 70, 3], // pause [55, 60] ended as it was sent... still touching (start + duration = sent): during GC
    [80, 90, 1.5], // pause [90, 91] starts as it is answered: not during GC
  ];
  const r = gcShare(timeline, [[49, 3], [4, 2], [55, 5], [90, 1]], 1);
  expect([r.slow, r.slowDuringGc]).toEqual([4, 3]);
  expect(r.withoutGc.n).toBe(2);
  expect(r.withoutGc.max).toBe(1.5);
});

test("property: the split agrees with checking every pause against every answer", () => {
  const interval = fc.tuple(fc.integer({ min: 0, max: 1_000 }), fc.integer({ min: 1, max: 50 }));
  fc.assert(
    fc.property(fc.array(interval, { maxLength: 40 }), fc.array(fc.tuple(interval, fc.double({ min: 0, max: 3, noNaN: true })), { maxLength: 60 }), (rawPauses, answers) => {
      // Sequential pauses, as on the main thread: laid end to end with gaps.
      let t = 0;
      const pauses = rawPauses.map(([gap, d]) => {
        const p: [number, number] = [t + gap, d];
        t += gap + d + 1;
        return p;
      });
      const timeline: Timeline = answers.map(([[s, d], o]) => [s, s + d, o]);
      const during = (sent: number, answered: number): boolean => pauses.some(([ps, pd]) => ps < answered && ps + pd >= sent);
      const r = gcShare(timeline, pauses, 1);
      expect(r.slow).toBe(timeline.filter(([, , o]) => o > 1).length);
      expect(r.slowDuringGc).toBe(timeline.filter(([s, a, o]) => o > 1 && during(s, a)).length);
      expect(r.withoutGc.n).toBe(timeline.filter(([s, a]) => !during(s, a)).length);
    }),
    { numRuns: 300 },
  );
});
