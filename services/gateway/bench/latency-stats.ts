/**
 * Latency statistics of the gateway benchmark: exact quantiles, and how the slow answers of a run relate to the
 * gateway's GC pauses (bench/gateway-bench.ts).
 */
export interface Quantiles {
  readonly n: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly p999: number;
  readonly max: number;
}

export function quantiles(values: number[]): Quantiles {
  const s = Float64Array.from(values).sort();
  const q = (p: number): number => (s.length === 0 ? NaN : (s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)] as number));
  return { n: s.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), p999: q(0.999), max: s.length ? (s[s.length - 1] as number) : NaN };
}

/** Each answered request of a run: [sent (scheduled), answered (ms since the epoch), overhead ms]. */
export type Timeline = Array<[number, number, number]>;

/** How the slow answers of a run (overhead over `limitMs`) relate to the gateway's GC pauses. */
export interface GcShare {
  /** Answers over the limit. */
  readonly slow: number;
  /** Of those, answers whose time in flight overlapped a GC pause of the gateway. */
  readonly slowDuringGc: number;
  /** Overhead quantiles of the answers that overlapped no GC pause. */
  readonly withoutGc: Quantiles;
}

/** Splits a run's answers by whether a GC pause of the gateway fell within their time in flight. */
export function gcShare(timeline: Timeline, pauses: ReadonlyArray<readonly [number, number]>, limitMs: number): GcShare {
  // Pauses are sequential (the main thread runs one at a time), so sorted by start they are sorted by end too.
  const gc = [...pauses].sort((a, b) => a[0] - b[0]);
  let slow = 0;
  let slowDuringGc = 0;
  const clean: number[] = [];
  let next = 0;
  for (const [sent, answered, overhead] of [...timeline].sort((a, b) => a[0] - b[0])) {
    // Skip the pauses that ended before this request was sent: they cannot overlap it or any later one.
    while (next < gc.length && (gc[next] as readonly [number, number])[0] + (gc[next] as readonly [number, number])[1] < sent) next++;
    const pause = gc[next];
    const hit = pause !== undefined && pause[0] < answered;
    if (!hit) clean.push(overhead);
    if (overhead > limitMs) {
      slow++;
      if (hit) slowDuringGc++;
    }
  }
  return { slow, slowDuringGc, withoutGc: quantiles(clean) };
}
