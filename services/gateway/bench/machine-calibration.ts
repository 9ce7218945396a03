/**
 * What this machine charges for the things every request through a gateway does, measured before the benchmark's
 * runs so that entries taken on different machines (the VM under the benchmark changes between sessions) can be
 * compared: a cheap system call, a loopback TCP round trip (one write and one read on each side: the unit a proxy
 * pays three times per request, client, Redis and upstream), and a CPU-only step (JSON and SHA-256 of a chat body).
 * Each is the median of several rounds, on an otherwise idle machine.
 */
import { hash } from "node:crypto";
import { fstatSync } from "node:fs";
import { createServer, connect, type AddressInfo, type Socket } from "node:net";

export interface Calibration {
  /** µs per fstat(2), the cheapest system call Node exposes synchronously. */
  readonly syscallUs: number;
  /** µs per loopback TCP round trip of a 200-byte message (one outstanding), both ends in this process. */
  readonly tcpRoundTripUs: number;
  /** µs per JSON.parse + JSON.stringify + SHA-256 of a ~1 KB chat body. */
  readonly cpuStepUs: number;
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

export async function calibrate(): Promise<Calibration> {
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
  return { syscallUs, tcpRoundTripUs: tcp, cpuStepUs };
}

export function describeCalibration(c: Calibration): string {
  return `fstat(2) ${c.syscallUs.toFixed(2)} µs, loopback TCP round trip ${c.tcpRoundTripUs.toFixed(1)} µs, JSON + SHA-256 of a chat body ${c.cpuStepUs.toFixed(1)} µs`;
}
