/**
 * What this machine charges for the things every request through a gateway does, measured before the benchmark's
 * runs so that entries taken on different machines (the VM under the benchmark changes between sessions) can be
 * compared: a cheap system call, a loopback TCP round trip (one write and one read on each side: the unit a proxy
 * pays three times per request, client, Redis and upstream), and a CPU-only step (JSON and SHA-256 of a chat body).
 * Each is the median of several rounds, on an otherwise idle machine. Last, how often the machine takes the CPU
 * away from a running thread (stalls): a thread that does nothing but read the clock for two seconds sees every
 * interruption (interrupts, kernel threads, other tenants of the host) as a gap between two reads. A process whose
 * answers must stay under 1 ms at the 99th percentile cannot do better than the machine's stalls allow.
 */
import { hash } from "node:crypto";
import { fstatSync } from "node:fs";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";
import { quantiles, type Quantiles } from "./latency-stats";

export interface Calibration {
  /** µs per fstat(2), the cheapest system call Node exposes synchronously. */
  readonly syscallUs: number;
  /** µs per loopback TCP round trip of a 200-byte message (one outstanding), both ends in this process. */
  readonly tcpRoundTripUs: number;
  /** µs per JSON.parse + JSON.stringify + SHA-256 of a ~1 KB chat body. */
  readonly cpuStepUs: number;
  /** Interruptions of a thread that only reads the clock, on an idle machine. */
  readonly stalls: StallSummary;
}

export interface StallSummary {
  /** Gaps of more than 1 ms between two clock reads, per second of spinning. */
  readonly over1msPerSecond: number;
  /** The longest gap, ms. */
  readonly longestMs: number;
  /** Share of the time lost in gaps of more than STALL_MIN_NS (%). */
  readonly lostPercent: number;
}

/** Gaps shorter than this are the loop's own cost (a clock read is well under 1 µs) and not counted as lost. */
const STALL_MIN_NS = 20_000;

/** Summarises the gaps (ns) a spinning thread saw over spanNs of spinning. */
export function summariseStalls(gapsNs: readonly number[], spanNs: number): StallSummary {
  if (!(spanNs > 0)) throw new Error(`summariseStalls: spanNs must be positive, got ${spanNs}`);
  let over1ms = 0;
  let longest = 0;
  let lost = 0;
  for (const g of gapsNs) {
    if (g > 1e6) over1ms++;
    if (g > longest) longest = g;
    if (g > STALL_MIN_NS) lost += g;
  }
  return { over1msPerSecond: over1ms / (spanNs / 1e9), longestMs: longest / 1e6, lostPercent: (lost / spanNs) * 100 };
}

/** Spins for spanMs reading the clock, keeping the gaps longer than STALL_MIN_NS. */
export function measureStalls(spanMs: number): StallSummary {
  const gaps: number[] = [];
  const start = process.hrtime.bigint();
  const end = start + BigInt(Math.round(spanMs * 1e6));
  let last = start;
  for (;;) {
    const now = process.hrtime.bigint();
    const gap = Number(now - last);
    if (gap > STALL_MIN_NS) gaps.push(gap);
    last = now;
    if (now >= end) break;
  }
  return summariseStalls(gaps, Number(last - start));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

function rounds(n: number, perRound: () => number): number {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(perRound());
  return median(out);
}

function timePerOp(ops: number, op: () => void): number {
  const t = process.hrtime.bigint();
  for (let i = 0; i < ops; i++) op();
  return Number(process.hrtime.bigint() - t) / 1e3 / ops;
}

async function tcpRoundTripUs(roundTrips: number, message: Buffer): Promise<number> {
  const server = createServer((s) => s.on("data", (d) => s.write(d)));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as AddressInfo;
  const client: Socket = connect(port, "127.0.0.1");
  client.setNoDelay(true);
  await new Promise<void>((r) => client.once("connect", r));
  try {
    const perRound: number[] = [];
    for (let round = 0; round < 5; round++) {
      const t = process.hrtime.bigint();
      for (let i = 0; i < roundTrips; i++) {
        let got = 0;
        await new Promise<void>((done) => {
          const onData = (d: Buffer): void => {
            got += d.length;
            if (got >= message.length) {
              client.off("data", onData);
              done();
            }
          };
          client.on("data", onData);
          client.write(message);
        });
      }
      perRound.push(Number(process.hrtime.bigint() - t) / 1e3 / roundTrips);
    }
    return median(perRound);
  } finally {
    client.destroy();
    await new Promise<void>((r) => server.close(() => r()));
  }
}

export async function calibrate(stallSpanMs = 2_000): Promise<Calibration> {
  const body = JSON.stringify({
    model: "mistral-7b",
    temperature: 0,
    max_tokens: 64,
    messages: [
      { role: "system", content: "You are a helpful assistant for the platform team. ".repeat(6) },
      { role: "user", content: "Summarise the incident report and list the follow-up actions with owners. ".repeat(8) },
    ],
  });
  const syscallUs = rounds(5, () => timePerOp(20_000, () => fstatSync(1)));
  const cpuStepUs = rounds(5, () => timePerOp(5_000, () => hash("sha256", JSON.stringify(JSON.parse(body)), "hex")));
  const tcp = await tcpRoundTripUs(2_000, Buffer.alloc(200, 97));
  const stalls = measureStalls(stallSpanMs);
  return { syscallUs, tcpRoundTripUs: tcp, cpuStepUs, stalls };
}

export function describeCalibration(c: Calibration): string {
  return `fstat(2) ${c.syscallUs.toFixed(2)} µs, loopback TCP round trip ${c.tcpRoundTripUs.toFixed(1)} µs, JSON + SHA-256 of a chat body ${c.cpuStepUs.toFixed(1)} µs; a thread only reading the clock was stopped for more than 1 ms ${c.stalls.over1msPerSecond.toFixed(1)} times a second (longest ${c.stalls.longestMs.toFixed(1)} ms) and lost ${c.stalls.lostPercent.toFixed(1)} % of its time to stops over 20 µs`;
}

/**
 * The distribution of one round trip to another process (e.g. a Redis PING) on an otherwise idle machine, asked
 * `count` times `spacingMs` apart (one at a time, so each finds the peer idle, as a lightly loaded gateway does):
 * the least any request that waits on Redis pays, tail included. µs.
 */
export async function measureRoundTrips(roundTrip: () => Promise<unknown>, count: number, spacingMs: number): Promise<Quantiles> {
  const us: number[] = [];
  await roundTrip(); // connect and warm up outside the measurement
  for (let i = 0; i < count; i++) {
    const t = process.hrtime.bigint();
    await roundTrip();
    us.push(Number(process.hrtime.bigint() - t) / 1e3);
    if (spacingMs > 0) await new Promise((r) => setTimeout(r, spacingMs));
  }
  return quantiles(us);
}

export function describeRoundTrips(what: string, q: Quantiles): string {
  return `${what}, ${q.n} one at a time on the idle machine: p50 ${q.p50.toFixed(0)} µs, p99 ${q.p99.toFixed(0)} µs, p99.9 ${q.p999.toFixed(0)} µs, max ${q.max.toFixed(0)} µs`;
}
