/**
 * Gateway benchmark (not a test): a constant offered rate (open loop, evenly spaced requests over undici
 * keep-alive connections) against
 *   (a) the OpenAI stand-in directly,
 *   (b) the gateway with API-key auth, Redis rate limits (RPM + TPM) and a cache lookup (temperature 0; every
 *       request's last message is unique, so lookups miss and the tokenizer really runs on it),
 *   (c) the same at a low rate (little CPU contention), and
 *   (d) the same as (b) driven by autocannon (overallRate), whose per-second rate limit sends bursts,
 *   (e) the floor: a bare Fastify + undici proxy (bench/floor-process.ts) at the same rate, and
 *   (f) the floor plus one Redis round trip per request (three commands in one write), i.e. what this machine
 *       charges for the least a Redis-backed gateway must do, with no code of ours on the path,
 *   (g) as (b) with the default input and output guardrails on (the issue's "(c) with guardrails on"), and (g1k) the
 *       same with 1 KB prompts,
 *   (h) as (b) with every request logged at info (what the log level costs; (b) runs at the shipped logging),
 * and issue 18's rows (decision 0087), in --repeat rounds where every target runs once (interleaved):
 *   max throughput, closed loop (--connections connections): the gateway, Portkey's open-source gateway
 *       (@portkey-ai/gateway, pointed at the same stand-in), the floor and the floor + Redis;
 *   (b) and (f) alternating, so the client-side p99 ratio is taken within one stretch of the run;
 *   streaming: 50-chunk streams at --stream-rate through the gateway and both floors (time to the first body byte).
 * The entry ends with one verdict line per target, as a ratio.
 * Four processes: the stand-in, the gateway (a NodeTracerProvider registered, as server.ts does) or the floor,
 * redis-server and the load generator (this one). The gateway and the floor run as the production image runs the
 * gateway: compiled by tsc (tsconfig.bench.json, into bench/.build) and with the image's node flags (the
 * Dockerfile's ENTRYPOINT).
 *
 * For (b) it also splits the answers with an overhead over 1 ms by whether a GC pause of the gateway fell within
 * their time in flight (bench/latency-stats.ts), which tells GC from CPU contention in the tail.
 *
 * Reports requests/s, p50/p99 latency (from each request's scheduled send time), the gateway's own overhead: the
 * x-gateway-overhead-ms header of EVERY answer (time in the gateway not spent waiting on the upstream,
 * microsecond resolution; exact order statistics, not histogram bucket bounds), and the CPU time per request of
 * each process (/proc), and the gateway's GC pauses during (b).
 *
 *   npx tsx services/gateway/bench/gateway-bench.ts [--rate 1000] [--seconds 20] [--connections 50]
 *       [--profile gateway.cpuprofile]   write a V8 CPU profile of the gateway during (b)
 *       [--heap-profile gateway.heapprofile]   write a sampling heap profile of the gateway during (b): the
 *                                        allocations that survived a young-generation GC
 *       [--alloc-profile gateway.heapprofile]   the same, keeping every allocation (young-GC garbage included)
 *       [--snapshot gateway.heapsnapshot]   write a heap snapshot of the gateway half-way through (b)
 *       [--only-gateway]                 run row (b) only (quick experiments; implies --no-write)
 *       [--trace-file gc.log]            where the gateway's own output goes (e.g. --node-flags --trace-gc-nvp)
 *       [--tsx]                          run the gateway and the floor under tsx (no tsc build first)
 *       [--repeat 3]                     runs of (b); the target is judged on their median overhead p99 (runs on a
 *                                        shared VM scatter by ± 30 %)
 *       [--soak] [--soak-rate 300] [--soak-seconds 300]   afterwards, a soak at a moderate rate, sampling the
 *                                        gateway's RSS and heap (after a forced GC) every 15 s
 *       [--node-flags "--max-semi-space-size=32"]   extra flags for the gateway's node
 *       [--low-rate 100]                 offered rate of row (c)
 *       [--no-write]                     do not touch bench/RESULTS.md
 * Each run's entry is appended to the "## Gateway" section of bench/RESULTS.md (earlier entries kept), with a
 * calibration of the machine (bench/machine-calibration.ts) taken before any other process starts (system call,
 * loopback round trip, CPU step, stalls of a spinning thread) and of a Redis PING round trip before the stand-in and
 * the gateway start. Issue 3's absolute target (overhead p99 ≤ 1 ms at 1,000 req/s, median of the runs of (b)) is
 * kept as a line; issue 18's targets are ratios (README "Tests and benchmark"); memory flat over a 5-minute soak.
 */
import autocannon from "autocannon";
import { appendFileSync, existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { dirname, resolve } from "node:path";
import { Command } from "commander";
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { Pool, type Dispatcher } from "undici";
import { TestRedis } from "../test/support/redis-server";
import { productionNodeFlags } from "./node-flags";
import { gcShare, quantiles, type GcShare, type Quantiles, type Timeline } from "./latency-stats";
import { Redis } from "ioredis";
import { gatewayConfigSchema } from "../src/config/schema";
import { calibrate, describeCalibration, describeRoundTrips, measureRoundTrips } from "./machine-calibration";
import { appendToSection, median, ratioVerdict, targetVerdict, type RatioTarget } from "./results-file";
import portkeyFacts from "./data/portkey-facts.json";

/** The peer's row name: Portkey's open-source gateway at the version bench/data/portkey-facts.json records. */
const PORTKEY = `Portkey OSS ${portkeyFacts.version}`;

interface Child {
  readonly proc: ChildProcess;
  next(): Promise<string>;
  ask(line: string): Promise<string>;
}

/** Lines of the line protocol; anything else a child prints (e.g. --trace-gc output) goes to traceSink. */
const PROTOCOL_LINE = /^(http|ok$|\{|\[\[|\["|\[\]|\d+$)/;
let traceSink: (line: string) => void = (line) => process.stderr.write(`${line}\n`);

/**
 * Compiles the gateway and its bench helpers with tsc (tsconfig.bench.json: the compiler options of the production
 * build) into bench/.build, and returns the directory of the compiled helpers. The gateway then runs the same
 * JavaScript as the production image (dist/, compiled by tsc), not tsx's on-the-fly build, which wraps every
 * function it creates in a __name() call and installs source-map support (measured: ≈ 2 % of the gateway's CPU).
 */
function compileGateway(): string {
  execFileSync(process.execPath, [require.resolve("typescript/bin/tsc"), "-p", resolve(__dirname, "..", "tsconfig.bench.json")], { stdio: "inherit" });
  return resolve(__dirname, ".build", "bench");
}

/** Asks a gateway or floor process to quit; kills it when it has not exited within 3 s. */
async function quit(c: Child): Promise<void> {
  c.proc.stdin?.write("quit\n");
  await Promise.race([new Promise((r) => c.proc.once("exit", r)), new Promise((r) => setTimeout(r, 3_000))]);
  if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
}

/**
 * A child process running a bench helper, with a line protocol on stdin/stdout: compiled JavaScript from
 * `compiledDir` when given (the gateway and the floor), else the TypeScript under tsx (the stand-in).
 */
function child(script: string, args: string[], nodeFlags: string[] = [], compiledDir?: string): Child {
  const entry = compiledDir ? [resolve(compiledDir, script.replace(/\.ts$/, ".js"))] : ["--import", "tsx", resolve(__dirname, script)];
  const proc = spawn(process.execPath, [...nodeFlags, ...entry, ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    for (;;) {
      const r = await lines.next();
      if (r.done) throw new Error(`${script} exited`);
      const v = r.value as string;
      if (!PROTOCOL_LINE.test(v)) {
        traceSink(v);
        continue;
      }
      return v;
    }
  };
  return {
    proc,
    next,
    ask: (line) => {
      proc.stdin?.write(`${line}\n`);
      return next();
    },
  };
}

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]?.split(" ") ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** CPU µs per request of each process over a run. */
function cpuShare(pids: Record<string, number | undefined>): () => Record<string, number> {
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  return () => Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid) - (before[k] as number)]));
}

interface Row {
  readonly target: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly overhead?: Quantiles;
  /** CPU µs per request of each process during the run. */
  readonly cpu: Record<string, number>;
}

/** What one load run measured. Latencies in ms. */
interface Load {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly total: number;
}

let seq = 0;
/** Support-desk prose for prompts of a given size (varied sentences, as a real ticket would be). */
const TICKET = [
  "The deployment pipeline failed during the database migration step last night, and the on-call engineer rolled back the release.",
  "Customers in the EU region reported slow page loads between 02:00 and 02:40 UTC while the cache cluster was being resized.",
  "Please summarise what happened, which services were affected, and what we should change in the runbook before the next release.",
  "The alert fired twice: once for the error budget of the checkout service and once for the queue depth of the billing workers.",
  "We suspect the connection pool of the reporting job was exhausted, since its retries kept every connection busy for minutes.",
];
/**
 * A chat body whose last message is unique (so cache lookups miss and the tokenizer runs on it); with
 * `promptBytes`, the user message is that many bytes of support-desk prose.
 */
function chatBody(gateway: boolean, promptBytes?: number): string {
  const n = seq++;
  let content = `Where can I find the runbook for incident ${n}?`;
  if (promptBytes) {
    content = `Incident ${n}.`;
    for (let i = n; content.length < promptBytes; i++) content += ` ${TICKET[i % TICKET.length] as string}`;
    content = content.slice(0, promptBytes);
  }
  return JSON.stringify({
    model: gateway ? "mistral-7b" : "mistralai/Mistral-7B-Instruct-v0.3",
    temperature: 0,
    max_tokens: 16,
    messages: [
      { role: "system", content: "You are a concise assistant for the support team. Answer in one sentence." },
      { role: "user", content },
    ],
  });
}

/** Content chunks per streamed answer in the streaming rows. */
const STREAM_CHUNKS = 50;

/**
 * Open-loop load at a constant rate: request i is sent at start + i/rate whatever happened to earlier ones (up to
 * `connections` keep-alive connections; beyond that undici queues, and the wait counts). Latency is measured from
 * the scheduled send time, so a stalled server cannot hide its queue (no coordinated omission).
 * autocannon cannot do this: its rate limit lets each connection send back-to-back until it has made its share of
 * the second, then pauses until the next second, i.e. bursts of `connections` concurrent requests.
 */
async function paced(url: string, gateway: boolean, headers: Record<string, string>, rate: number, seconds: number, connections: number, overheads?: number[], timeline?: Timeline, body: () => string = () => chatBody(gateway)): Promise<Load> {
  const total = Math.max(1, Math.round(rate * seconds));
  const latencies = new Float64Array(total);
  let errors = 0;
  const run = await openLoop(url, headers, body, rate, total, connections, {
    answered: async (res, scheduled, i) => {
      await res.body.text();
      const now = performance.now();
      latencies[i] = now - scheduled;
      if (res.statusCode !== 200) errors++;
      else if (overheads) {
        const v = Number(res.headers["x-gateway-overhead-ms"]);
        if (Number.isFinite(v)) {
          overheads.push(v);
          timeline?.push([performance.timeOrigin + scheduled, performance.timeOrigin + now, v]);
        }
      }
      return now;
    },
    failed: (scheduled, i) => {
      errors++;
      latencies[i] = performance.now() - scheduled;
    },
  });
  const q = quantiles(Array.from(latencies));
  return { rps: run.rps, p50: q.p50, p99: q.p99, errors, total };
}

/**
 * The open-loop schedule `paced` and `streamPaced` share: `total` POSTs of `body()` at fixed times `rate` per second
 * apart over a pool of `connections`, each sent at its scheduled time whether or not earlier ones were answered.
 * `answered` reads an answer and returns when it was complete (performance.now()); `failed` sees a request that
 * got no answer. Resolves when every request has settled, with the achieved rate up to the last complete answer.
 */
async function openLoop(
  url: string,
  headers: Record<string, string>,
  body: () => string,
  rate: number,
  total: number,
  connections: number,
  on: { answered: (res: Dispatcher.ResponseData, scheduled: number, i: number) => Promise<number>; failed: (scheduled: number, i: number) => void },
): Promise<{ rps: number }> {
  const u = new URL(url);
  const pool = new Pool(u.origin, { connections, pipelining: 1, keepAliveTimeout: 30_000 });
  const interval = 1000 / rate;
  let done = 0;
  let sent = 0;
  const start = performance.now();
  let last = start;
  await new Promise<void>((resolveAll) => {
    const send = (i: number, scheduled: number): void => {
      pool
        .request({ method: "POST", path: u.pathname, headers: { "content-type": "application/json", ...headers }, body: body() })
        .then(async (res) => {
          last = Math.max(last, await on.answered(res, scheduled, i));
        })
        .catch(() => on.failed(scheduled, i))
        .finally(() => {
          if (++done === total) resolveAll();
        });
    };
    const tick = (): void => {
      const now = performance.now();
      while (sent < total && start + sent * interval <= now) {
        send(sent, start + sent * interval);
        sent++;
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()));
    };
    tick();
  });
  await pool.close();
  return { rps: total / ((last - start) / 1000) };
}

/** autocannon at `rate` (its per-connection, per-second rate limit: bursty arrivals), for comparison. */
async function cannon(url: string, gateway: boolean, headers: Record<string, string>, rate: number, seconds: number, connections: number, overheads?: number[]): Promise<Load> {
  const request: autocannon.Request = {
    setupRequest: (req) => ({ ...req, body: chatBody(gateway) }),
    ...(overheads
      ? {
          onResponse: (status: number, _body: string, _ctx: object, h: Record<string, string | string[] | undefined> | undefined) => {
            const v = Number(h?.["x-gateway-overhead-ms"]);
            if (status === 200 && Number.isFinite(v)) overheads.push(v);
          },
        }
      : {}),
  };
  const r = await autocannon({ url, method: "POST", connections, overallRate: rate, duration: seconds, headers: { "content-type": "application/json", ...headers }, requests: [request] });
  return { rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, errors: r.errors + r.non2xx, total: r.requests.total };
}

/** What one closed-loop run measured. */
interface Closed {
  readonly rps: number;
  readonly errors: number;
  readonly total: number;
  /** CPU µs per request of the server process (the gateway, Portkey or the floor). */
  readonly serverCpuUs: number;
  /** Write system calls (write, writev, sendmsg on sockets) per request of the server process, from /proc. */
  readonly serverWrites: number;
}

/** Write system calls a process has made so far (/proc/<pid>/io syscw; Linux); NaN elsewhere. */
function writeSyscalls(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  try {
    return Number(/^syscw: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, "utf8"))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

/**
 * Closed loop: `connections` connections, each sending its next request as soon as its answer is in (autocannon
 * without a rate), for `seconds`: the most a server answers on this machine.
 */
async function closedLoop(url: string, headers: Record<string, string>, body: () => string, seconds: number, connections: number, serverPid?: number): Promise<Closed> {
  const cpu0 = cpuSeconds(serverPid);
  const writes0 = writeSyscalls(serverPid);
  const r = await autocannon({ url, method: "POST", connections, duration: seconds, headers: { "content-type": "application/json", ...headers }, requests: [{ setupRequest: (req) => ({ ...req, body: body() }) }] });
  return { rps: r.requests.total / seconds, errors: r.errors + r.non2xx + r.timeouts, total: r.requests.total, serverCpuUs: ((cpuSeconds(serverPid) - cpu0) * 1e6) / Math.max(1, r.requests.total), serverWrites: (writeSyscalls(serverPid) - writes0) / Math.max(1, r.requests.total) };
}

/** What one streaming run measured (ms from each request's scheduled send time). */
interface Streamed {
  readonly rps: number;
  /** To the first byte of the answer's body. */
  readonly ttfb: Quantiles;
  /** To the end of the stream. */
  readonly whole: Quantiles;
  readonly errors: number;
}

/**
 * Open-loop streaming load: request i sent at start + i/rate (as paced()); each answer is read to its end, which
 * must be "data: [DONE]".
 */
async function streamPaced(url: string, headers: Record<string, string>, body: () => string, rate: number, seconds: number, connections: number): Promise<Streamed> {
  const ttfb: number[] = [];
  const whole: number[] = [];
  let errors = 0;
  const run = await openLoop(url, headers, body, rate, Math.max(1, Math.round(rate * seconds)), connections, {
    answered: async (res, scheduled) => {
      let first = true;
      let tail = "";
      for await (const chunk of res.body) {
        if (first) {
          ttfb.push(performance.now() - scheduled);
          first = false;
        }
        tail = (tail + (chunk as Buffer).toString("utf8")).slice(-64);
      }
      const now = performance.now();
      if (res.statusCode !== 200 || !tail.trimEnd().endsWith("data: [DONE]")) errors++;
      else whole.push(now - scheduled);
      return now;
    },
    failed: () => void errors++,
  });
  return { rps: run.rps, ttfb: quantiles(ttfb), whole: quantiles(whole), errors };
}

/** A free loopback port (listen on 0, close). */
function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once("error", rej);
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address() as AddressInfo;
      srv.close(() => res(port));
    });
  });
}

/**
 * Portkey's open-source gateway (@portkey-ai/gateway, a benchmark-only devDependency) as its CLI runs it
 * (build/start-server.js --port=N --headless, NODE_ENV=production: no UI), with the same node flags as ours.
 * Resolves once GET / answers.
 */
async function startPortkey(nodeFlags: string[]): Promise<{ proc: ChildProcess; url: string }> {
  const port = await freePort();
  const script = resolve(dirname(require.resolve(`${portkeyFacts.package}/package.json`)), portkeyFacts.entry.script);
  const proc = spawn(process.execPath, [...nodeFlags, script, `${portkeyFacts.flags.port.flag}${port}`, portkeyFacts.flags.headless.flag], { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "ignore", "ignore"] });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 150; i++) {
    if (proc.exitCode !== null) throw new Error(`Portkey's gateway exited with ${proc.exitCode}`);
    try {
      if ((await fetch(`${url}${portkeyFacts.readiness.path}`)).ok) return { proc, url };
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  proc.kill("SIGKILL");
  throw new Error("Portkey's gateway did not answer GET / within 15 s");
}

/** Size of a file in bytes; 0 when it does not exist. */
function fileSize(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

interface GcPauses {
  readonly young: { n: number; ms: number; max: number };
  readonly full: { n: number; ms: number; max: number };
}

interface Mem {
  readonly rss: number;
  readonly heapUsed: number;
  readonly heapTotal: number;
  readonly external: number;
}

async function main(): Promise<void> {
  const opts = new Command()
    .option("--rate <n>", "offered requests per second", "1000")
    .option("--seconds <n>", "duration per target", "20")
    .option("--connections <n>", "concurrent connections", "50")
    .option("--profile <file>", "write a CPU profile of the gateway during (b)")
    .option("--heap-profile <file>", "write a sampling heap profile (allocations surviving a young GC) of the gateway during (b)")
    .option("--alloc-profile <file>", "write a sampling heap profile of every allocation of the gateway during (b)")
    .option("--snapshot <file>", "write a heap snapshot of the gateway half-way through (b)")
    .option("--only-gateway", "run row (b) only (implies --no-write)")
    .option("--only-closed", "run the max-throughput (closed-loop) rounds only (implies --no-write)")
    .option("--only-stream", "run the streaming rounds only (implies --no-write)")
    .option("--only-guardrails", "run rows (g) and (g1k) only (implies --no-write)")
    .option("--profile-guardrails <file>", "write a CPU profile of the guardrails gateway during (g1k)")
    .option("--repeat <n>", "runs of row (b); the target is judged on their median overhead p99", "3")
    .option("--tsx", "run the gateway and the floor under tsx instead of compiling them with tsc first")
    .option("--trace-file <file>", "where the gateway's non-protocol output goes (e.g. --node-flags --trace-gc), instead of stderr")
    .option("--node-flags <flags>", "node flags for the gateway process on top of the production image's (Dockerfile ENTRYPOINT), e.g. --max-semi-space-size=32", "")
    .option("--low-rate <n>", "offered rate of the uncontended row (c)", "100")
    .option("--closed-seconds <n>", "duration of each closed-loop (max throughput) run", "10")
    .option("--stream-rate <n>", "offered rate of the streaming rows", "200")
    .option("--stream-seconds <n>", "duration of each streaming run", "10")
    .option("--soak", "also run a memory soak")
    .option("--soak-rate <n>", "soak requests per second", "300")
    .option("--soak-seconds <n>", "soak duration", "300")
    .option("--note <text>", "a sentence for the entry about the conditions of the run (e.g. other work on the machine)")
    .option("--no-write", "do not write bench/RESULTS.md")
    .parse()
    .opts<{ rate: string; seconds: string; connections: string; profile?: string; heapProfile?: string; allocProfile?: string; onlyGateway?: boolean; onlyClosed?: boolean; onlyStream?: boolean; onlyGuardrails?: boolean; profileGuardrails?: string; snapshot?: string; traceFile?: string; tsx?: boolean; repeat: string; soak?: boolean; soakRate: string; soakSeconds: string; write: boolean; lowRate: string; nodeFlags: string; closedSeconds: string; streamRate: string; streamSeconds: string; note?: string }>();
  const rate = Number(opts.rate);
  const repeat = Math.max(1, Number(opts.repeat));
  const seconds = Number(opts.seconds);
  const connections = Number(opts.connections);
  const loadBefore = loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

  const compiled = opts.tsx ? undefined : compileGateway();
  // Before any other process starts: what this machine charges per system call, loopback round trip and CPU step.
  const calibration = await calibrate();
  const redis = await TestRedis.start();
  // Still before the stand-in and the gateway: one Redis round trip's own distribution, the part of every request's
  // overhead that no gateway code can remove (rate limits and the cache lookup wait on it).
  const pinger = new Redis(redis.url, { lazyConnect: true });
  const redisPing = await measureRoundTrips(() => pinger.ping(), 2_000, 1);
  pinger.disconnect();
  const standin = child("standin-process.ts", []);
  const streamStandin = child("standin-process.ts", [`--words=${STREAM_CHUNKS}`]);
  const logFile = resolve(tmpdir(), `gateway-bench-${process.pid}.log`);
  const closedSeconds = Number(opts.closedSeconds);
  const streamRate = Number(opts.streamRate);
  const streamSeconds = Number(opts.streamSeconds);
  /** Closed-loop runs per target, in round order. */
  const closed: Record<string, Closed[]> = {};
  /** Streaming runs per target, in round order. */
  const streams: Record<string, Streamed[]> = {};
  /** Bytes the gateway logged, and over how many requests: at the shipped logging (b), and with every request logged (h). */
  const logBytes = { shipped: { bytes: 0, requests: 0 }, every: { bytes: 0, requests: 0 } };
  /** Gateway processes started for one set of rows. */
  const extra: Child[] = [];
  let portkey: ChildProcess | undefined;
  let gateway: Child | undefined;
  const rows: Row[] = [];
  const mem: Array<{ t: number; m: Mem }> = [];
  let soakResult: { rps: number; p50: number; p99: number; errors: number; overhead: Quantiles } | undefined;
  let violations = 0;
  /** Per run of (b): the gateway's GC pauses and how the slow answers relate to them. */
  const gcRuns: Array<{ readonly pauses: GcPauses; readonly share: GcShare }> = [];
  if (opts.traceFile) {
    const file = resolve(opts.traceFile);
    writeFileSync(file, "");
    traceSink = (line) => appendFileSync(file, `${line}\n`);
  }
  let gatewayFlags = "";
  let floor: Child | undefined;
  try {
    const upstreamUrl = await standin.next();
    const streamUrl = await streamStandin.next();
    const nodeFlags = [...productionNodeFlags(readFileSync(resolve(__dirname, "..", "Dockerfile"), "utf8")), ...opts.nodeFlags.split(" ").filter(Boolean)];
    gatewayFlags = nodeFlags.join(" ");
    // The gateway at the shipped logging (gateway-process.ts: the schema's defaults, which the chart and the
    // platform set), its log written to a file as pino writes stdout (synchronously).
    const gw = child("gateway-process.ts", [upstreamUrl, redis.url, "plain", logFile, "", streamUrl], ["--expose-gc", ...nodeFlags], compiled);
    gateway = gw;
    const [gwUrl, key] = (await gw.next()).split(" ") as [string, string];
    const auth = { authorization: `Bearer ${key}` };
    const gwChat = `${gwUrl}/v1/chat/completions`;
    // The floor: a bare Fastify + undici proxy, without and with one Redis round trip (bench/floor-process.ts).
    const fl = child("floor-process.ts", [upstreamUrl, redis.url, streamUrl], nodeFlags, compiled);
    floor = fl;
    const floorUrl = await fl.next();
    const floorBare = `${floorUrl}/bare/v1/chat/completions`;
    const floorRedis = `${floorUrl}/redis/v1/chat/completions`;
    // Portkey's open-source gateway, pointed at the same stand-in (its OpenAI provider with a custom host).
    const pk = opts.onlyGateway || opts.onlyGuardrails ? undefined : await startPortkey(nodeFlags);
    portkey = pk?.proc;
    const portkeyHeaders = { [portkeyFacts.headers.provider.name]: portkeyFacts.headers.provider.value, [portkeyFacts.headers.customHost.name]: `${upstreamUrl}/v1`, authorization: "Bearer sk-bench-not-a-key" };

    // Warm-up (JIT, keep-alive pools, tokenizer memo for the system prompt).
    await paced(gwChat, true, auth, rate, 5, connections);
    await paced(`${upstreamUrl}/v1/chat/completions`, false, {}, rate, 2, connections);
    await paced(floorRedis, true, {}, rate, 3, connections);
    await paced(floorBare, true, {}, rate, 2, connections);
    if (pk) await closedLoop(`${pk.url}${portkeyFacts.chatPath.path}`, portkeyHeaders, () => chatBody(false), 3, connections);

    const pids = { "load generator": process.pid, "stand-in": standin.proc.pid, "gateway (or floor)": gw.proc.pid, redis: redis.pid };
    const floorPids = { ...pids, "gateway (or floor)": fl.proc.pid };
    const perRequest = (used: Record<string, number>, total: number): Record<string, number> =>
      Object.fromEntries(Object.entries(used).map(([k, sec]) => [k, (sec * 1e6) / Math.max(1, total)]));
    const measure = async (target: string, load: (overheads: number[]) => Promise<Load>, withOverhead: boolean, server = pids): Promise<Load> => {
      const overheads: number[] = [];
      const cpu = cpuShare(server);
      const r = await load(overheads);
      rows.push({ target, rps: r.rps, p50: r.p50, p99: r.p99, errors: r.errors, ...(withOverhead ? { overhead: quantiles(overheads) } : {}), cpu: perRequest(cpu(), r.total) });
      return r;
    };

    /** Streaming: 50-chunk streams at streamRate, time to the first byte of the body, rounds interleaved. */
    const streamRounds = async (): Promise<void> => {
      const streamBody = (model: string) => () => JSON.stringify({ model, stream: true, max_tokens: 64, messages: [{ role: "user", content: `Stream the runbook for incident ${seq++}` }] });
      const streamTargets: Array<[string, string, Record<string, string>, () => string]> = [
        ["gateway", gwChat, auth, streamBody("llama-3-70b")],
        ["floor", floorBare, {}, streamBody("m")],
        ["floor + Redis", floorRedis, {}, streamBody("m")],
      ];
      for (const [, url, headers, body] of streamTargets) await streamPaced(url, headers, body, streamRate, 2, connections);
      for (let k = 0; k < repeat; k++) {
        for (const [name, url, headers, body] of streamTargets) (streams[name] ??= []).push(await streamPaced(url, headers, body, streamRate, streamSeconds, connections));
      }
    };

    /** Rows (g) and (g1k): a second gateway with the default input and output guardrails. */
    const guardrailRows = async (): Promise<void> => {
      // The default input and output guardrails (local layers) under the load of (b): ~200-byte prompts, then 1 KB.
      const gg = child("gateway-process.ts", [upstreamUrl, redis.url, "guardrails", "", "", streamUrl], ["--expose-gc", ...nodeFlags], compiled);
      extra.push(gg);
      const [ggUrl, ggKey] = (await gg.next()).split(" ") as [string, string];
      const ggChat = `${ggUrl}/v1/chat/completions`;
      const ggAuth = { authorization: `Bearer ${ggKey}` };
      const guardPids = { ...pids, "gateway (or floor)": gg.proc.pid };
      await paced(ggChat, true, ggAuth, rate, 5, connections);
      await measure(`(g) as (b), with the default input and output guardrails on, ${rate} req/s`, (o) => paced(ggChat, true, ggAuth, rate, seconds, connections, o), true, guardPids);
      await paced(ggChat, true, ggAuth, rate, 3, connections, undefined, undefined, () => chatBody(true, 1024));
      if (opts.profileGuardrails) await gg.ask("prof-start");
      await measure(`(g1k) as (g), 1 KB prompts, ${rate} req/s`, (o) => paced(ggChat, true, ggAuth, rate, seconds, connections, o, undefined, () => chatBody(true, 1024)), true, guardPids);
      if (opts.profileGuardrails) await gg.ask(`prof-stop ${resolve(opts.profileGuardrails)}`);
      await quit(gg);
    };

    /** Rows (c)-(e), (h), (g), the streaming rounds and the soak. */
    const otherRows = async (): Promise<void> => {
      // The same at a low rate: the overhead with little CPU contention between the four processes.
      const lowRate = Number(opts.lowRate);
      await measure(`(c) the same as (b) at ${lowRate} req/s`, (o) => paced(gwChat, true, auth, lowRate, seconds, connections, o), true);
      // autocannon's rate limit sends each second's requests in bursts (see paced()); kept for comparison.
      await measure(`(d) as (b), autocannon (bursty arrivals)`, (o) => cannon(gwChat, true, auth, rate, seconds, connections, o), true);
      await measure(`(e) floor: bare Fastify + undici proxy, ${rate} req/s`, (o) => paced(floorBare, true, {}, rate, seconds, connections, o), true, floorPids);

      // What logging every request costs: a second gateway with an access-log line for every request (sample rate 1).
      const everyLog = `${logFile}.every`;
      const gl = child("gateway-process.ts", [upstreamUrl, redis.url, "plain", everyLog, "1", streamUrl], ["--expose-gc", ...nodeFlags], compiled);
      extra.push(gl);
      const [glUrl, glKey] = (await gl.next()).split(" ") as [string, string];
      const glChat = `${glUrl}/v1/chat/completions`;
      const glAuth = { authorization: `Bearer ${glKey}` };
      await paced(glChat, true, glAuth, rate, 5, connections);
      const everyBefore = fileSize(everyLog);
      const h = await measure(`(h) as (b), every request logged at info (accessLogSampleRate 1), ${rate} req/s`, (o) => paced(glChat, true, glAuth, rate, seconds, connections, o), true, { ...pids, "gateway (or floor)": gl.proc.pid });
      logBytes.every = { bytes: fileSize(everyLog) - everyBefore, requests: h.total };
      await quit(gl);

      await guardrailRows();

      await streamRounds();

      if (opts.soak) {
        const soakRate = Number(opts.soakRate);
        const soakSeconds = Number(opts.soakSeconds);
        const soakOverheads: number[] = [];
        const t0 = Date.now();
        mem.push({ t: 0, m: JSON.parse(await gw.ask("mem")) as Mem });
        const sampler = setInterval(() => {
          void gw.ask("mem").then((line) => mem.push({ t: (Date.now() - t0) / 1000, m: JSON.parse(line) as Mem }));
        }, 15_000);
        const s = await paced(gwChat, true, auth, soakRate, soakSeconds, connections, soakOverheads);
        clearInterval(sampler);
        await new Promise((r) => setTimeout(r, 200));
        mem.push({ t: (Date.now() - t0) / 1000, m: JSON.parse(await gw.ask("mem")) as Mem });
        soakResult = { rps: s.rps, p50: s.p50, p99: s.p99, errors: s.errors, overhead: quantiles(soakOverheads) };
      }
    };
    if (opts.onlyStream) {
      await streamRounds();
      opts.onlyClosed = true;
    }
    if (opts.onlyGuardrails) {
      await guardrailRows();
      opts.onlyClosed = true;
    }
    if (!opts.onlyGateway && !opts.onlyClosed) await measure(`(a) stand-in directly, ${rate} req/s`, () => paced(`${upstreamUrl}/v1/chat/completions`, false, {}, rate, seconds, connections), false);

    // Max throughput, closed loop (`connections` connections, each sends its next request when the answer is in):
    // the gateway, Portkey, and the two floors, one after the other in each round.
    if (pk && !opts.onlyStream) {
      const closedTargets: Array<[string, string, Record<string, string>, () => string, number | undefined]> = [
        ["gateway", gwChat, auth, () => chatBody(true), gw.proc.pid],
        [PORTKEY, `${pk.url}${portkeyFacts.chatPath.path}`, portkeyHeaders, () => chatBody(false), pk.proc.pid],
        ["floor", floorBare, {}, () => chatBody(true), fl.proc.pid],
        ["floor + Redis", floorRedis, {}, () => chatBody(true), fl.proc.pid],
      ];
      for (let k = 0; k < repeat; k++) {
        for (const [name, url, headers, body, pid] of closedTargets) (closed[name] ??= []).push(await closedLoop(url, headers, body, closedSeconds, connections, pid));
      }
    }

    if (opts.profile) await gw.ask("prof-start");
    if (opts.heapProfile) await gw.ask("heap-start");
    else if (opts.allocProfile) await gw.ask("alloc-start");
    /** One run of (b), with its GC pauses. */
    const runB = async (target: string): Promise<void> => {
      await gw.ask("gc-reset");
      const timeline: Timeline = [];
      const before = fileSize(logFile);
      const r = await measure(target, (o) => paced(gwChat, true, auth, rate, seconds, connections, o, timeline), true);
      logBytes.shipped.bytes += fileSize(logFile) - before;
      logBytes.shipped.requests += r.total;
      const pauses = JSON.parse(await gw.ask("gc")) as GcPauses;
      const list = JSON.parse(await gw.ask("gclist")) as Array<[number, number]>;
      gcRuns.push({ pauses, share: gcShare(timeline, list, 1) });
    };
    if (opts.snapshot) setTimeout(() => void gw.ask(`snapshot ${resolve(opts.snapshot as string)}`), (seconds * 1000) / 2);
    // Runs on a shared VM scatter (p99 ± 30 % between runs): (b) is repeated and judged by its median, each run
    // followed by one of the floor with one Redis round trip (f), so their ratio is taken within one stretch.
    for (let k = 1; k <= (opts.onlyClosed ? 0 : repeat); k++) {
      await runB(k === 1 ? `(b) gateway: auth + rate limit + cache lookup, shipped logging, ${rate} req/s` : `(b) the same, run ${k} of ${repeat}`);
      if (k === 1 && opts.profile) await gw.ask(`prof-stop ${resolve(opts.profile)}`);
      if (k === 1 && (opts.heapProfile ?? opts.allocProfile)) await gw.ask(`heap-stop ${resolve((opts.heapProfile ?? opts.allocProfile) as string)}`);
      if (!opts.onlyGateway) await measure(k === 1 ? `(f) floor + one Redis round trip per request, ${rate} req/s` : `(f) the same, run ${k} of ${repeat}`, (o) => paced(floorRedis, true, {}, rate, seconds, connections, o), true, floorPids);
    }
    if (opts.onlyGateway || opts.onlyClosed) opts.write = false;
    else await otherRows();
    violations = JSON.parse(await standin.ask("violations")) as number;
    violations += JSON.parse(await streamStandin.ask("violations")) as number;
  } finally {
    for (const c of [gateway, floor, ...extra]) if (c && c.proc.exitCode === null) await quit(c);
    portkey?.kill("SIGTERM");
    standin.proc.kill("SIGTERM");
    streamStandin.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    await redis.stop();
    for (const f of [logFile, `${logFile}.every`]) rmSync(f, { force: true });
  }

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, load average before the run ${loadBefore}; calibration (idle): ${describeCalibration(calibration)}; ${describeRoundTrips("Redis PING from ioredis", redisPing)}`;
  const f = (n: number | undefined, d = 2): string => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(d));
  const mib = (b: number): string => (b / 2 ** 20).toFixed(1);
  const bRows = rows.filter((r) => r.target.startsWith("(b)"));
  const bP99s = bRows.map((r) => r.overhead?.p99 ?? NaN).sort((x, y) => x - y);
  // The median; of an even number of runs the higher middle one.
  const medianP99 = bP99s.length ? (bP99s[Math.floor(bP99s.length / 2)] as number) : NaN;
  const fRows = rows.filter((r) => r.target.startsWith("(f)"));
  const floorP99 = median(fRows.map((r) => r.overhead?.p99 ?? NaN));
  const n0 = (n: number): string => (Number.isNaN(n) ? "–" : Math.round(n).toLocaleString("en-US"));
  const closedMedian = (name: string): number => median((closed[name] ?? []).map((c) => c.rps));
  const streamMedian = (name: string, pick: (s: Streamed) => number): number => median((streams[name] ?? []).map(pick));
  const g1k = rows.find((r) => r.target.startsWith("(g1k)"));
  const bClientP99 = median(bRows.map((r) => r.p99));
  const fClientP99 = median(fRows.map((r) => r.p99));
  const gwTtfb = streamMedian("gateway", (x) => x.ttfb.p99);
  const floorTtfb = streamMedian("floor", (x) => x.ttfb.p99);
  const heapStart = mem[0]?.m.heapUsed;
  const heapEnd = mem.at(-1)?.m.heapUsed;
  const perReq = (b: { bytes: number; requests: number }): string => (b.requests ? `${(b.bytes / b.requests).toFixed(1)} bytes per request (${(b.bytes / 2 ** 20).toFixed(2)} MiB over ${b.requests.toLocaleString("en-US")} requests)` : "–");
  const targets: RatioTarget[] = [
    { label: "max throughput (closed loop), gateway ÷ Portkey OSS", numerator: closedMedian("gateway"), denominator: closedMedian(PORTKEY), bound: 5, atLeast: true, detail: `${n0(closedMedian("gateway"))} vs ${n0(closedMedian(PORTKEY))} req/s` },
    { label: "max throughput (closed loop), gateway ÷ floor + Redis", numerator: closedMedian("gateway"), denominator: closedMedian("floor + Redis"), bound: 0.7, atLeast: true, detail: `${n0(closedMedian("gateway"))} vs ${n0(closedMedian("floor + Redis"))} req/s` },
    { label: `client-side p99 at ${rate} req/s, gateway (b) at the shipped logging ÷ floor + Redis (f)`, numerator: bClientP99, denominator: fClientP99, bound: 2, atLeast: false, detail: `${f(bClientP99)} vs ${f(fClientP99)} ms, medians of ${bRows.length} interleaved runs` },
    { label: `default guardrails, 1 KB prompts (g1k): achieved ÷ offered rate`, numerator: g1k?.rps ?? NaN, denominator: rate, bound: 0.99, atLeast: true, detail: `${n0(g1k?.rps ?? NaN)} of ${rate} req/s, ${g1k?.errors ?? "–"} errors` },
    { label: `default guardrails, 1 KB prompts (g1k): client-side p99 ÷ floor + Redis (f)`, numerator: g1k?.p99 ?? NaN, denominator: fClientP99, bound: 3, atLeast: false, detail: `${f(g1k?.p99)} vs ${f(fClientP99)} ms` },
    { label: `streaming TTFB p99 at ${streamRate} req/s (${STREAM_CHUNKS}-chunk streams), gateway ÷ (floor + 2 ms)`, numerator: gwTtfb, denominator: floorTtfb + 2, bound: 1, atLeast: false, detail: `${f(gwTtfb)} vs ${f(floorTtfb)} + 2 ms` },
    ...(soakResult ? [{ label: `memory over the ${opts.soakSeconds}-s soak, heap used after a forced GC, end ÷ start`, numerator: heapEnd ?? NaN, denominator: heapStart ?? NaN, bound: 1.1, atLeast: false, detail: `${mib(heapEnd ?? NaN)} vs ${mib(heapStart ?? NaN)} MiB` }] : []),
  ];
  const lines = [
    `### ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC: ${rate} req/s offered, ${seconds} s per target, ${connections} connections`,
    "",
    `Machine: ${machine}. Stand-in, gateway, redis-server and the load generator share the cores (and other work on the machine). ` +
      `The gateway runs with node ${gatewayFlags || "(no flags)"} (the production image's flags${opts.nodeFlags ? " plus --node-flags" : ""}).` +
      (opts.note ? ` Note: ${opts.note}` : ""),
    "",
    "| target | req/s | p50 ms | p99 ms | errors | overhead p50 ms | p90 | p99 | p99.9 | max |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.rps.toFixed(0)} | ${f(r.p50, 1)} | ${f(r.p99, 1)} | ${r.errors} | ${f(r.overhead?.p50, 3)} | ${f(r.overhead?.p90, 3)} | ${f(r.overhead?.p99, 3)} | ${f(r.overhead?.p999, 3)} | ${f(r.overhead?.max, 3)} |`,
    ),
    "",
    "CPU time per request of each process (µs, from /proc; 2 cores = 2,000 µs of CPU per request at 1,000 req/s):",
    "",
    `| target | ${Object.keys(rows[0]?.cpu ?? {}).join(" | ")} | total |`,
    `|---|${Object.keys(rows[0]?.cpu ?? {}).map(() => "---:|").join("")}---:|`,
    ...rows.map((r) => `| ${r.target} | ${Object.values(r.cpu).map((v) => f(v, 0)).join(" | ")} | ${f(Object.values(r.cpu).reduce((x, y) => x + y, 0), 0)} |`),
    "",
    `Overhead = the x-gateway-overhead-ms header of each answer of (b) (time inside the gateway not spent waiting on the upstream, ` +
      "queueing for the CPU included); exact quantiles. Latencies: from the scheduled send time (every row but (d)), autocannon's whole ms (d). " +
      `Issue 3's absolute target, overhead p99 ≤ 1 ms at 1,000 req/s, ${targetVerdict(bRows.length, medianP99, floorP99)} ` +
      `Stand-in contract violations: ${violations}.`,
    "",
    gcRuns.length
      ? "Gateway GC pauses during (b), per run: " +
        gcRuns
          .map(
            ({ pauses: g, share: sh }, k) =>
              `run ${k + 1}: ${g.young.n} young-generation (scavenge) pauses, ${f(g.young.ms, 0)} ms in all, longest ${f(g.young.max, 1)} ms; ` +
              `${g.full.n} full (mark-compact), ${f(g.full.ms, 0)} ms, longest ${f(g.full.max, 1)} ms; ` +
              `${sh.slowDuringGc} of the ${sh.slow} answers with an overhead over 1 ms were in flight during a pause, and the ${sh.withoutGc.n} answers that overlapped none had overhead p99 ${f(sh.withoutGc.p99, 3)} ms`,
          )
          .join(". ") +
        "."
      : "",
    "",
    `Max throughput, closed loop (${connections} connections, ${closedSeconds} s per run; rounds interleaved: each round runs every target once), req/s per round and the median:`,
    "",
    "| target | " + Array.from({ length: repeat }, (_, k) => `round ${k + 1}`).join(" | ") + " | median | errors | server CPU µs per request (median) | server write syscalls per request |",
    "|---|" + Array.from({ length: repeat }, () => "---:|").join("") + "---:|---:|---:|---:|",
    ...Object.entries(closed).map(([name, runs]) => `| ${name} | ${runs.map((c) => n0(c.rps)).join(" | ")} | ${n0(closedMedian(name))} | ${runs.reduce((a, c) => a + c.errors, 0)} | ${n0(median(runs.map((c) => c.serverCpuUs)))} | ${f(median(runs.map((c) => c.serverWrites)))} |`),
    "",
    `Streaming at ${streamRate} req/s, ${STREAM_CHUNKS} content chunks per answer (a second stand-in), ${streamSeconds} s per run, rounds interleaved; ms from the scheduled send (medians over the rounds):`,
    "",
    "| target | TTFB p50 | TTFB p99 | TTFB p99 per round | whole stream p99 | req/s | errors |",
    "|---|---:|---:|---|---:|---:|---:|",
    ...Object.entries(streams).map(
      ([name, runs]) =>
        `| ${name} | ${f(streamMedian(name, (x) => x.ttfb.p50))} | ${f(streamMedian(name, (x) => x.ttfb.p99))} | ${runs.map((x) => f(x.ttfb.p99)).join(", ")} | ${f(streamMedian(name, (x) => x.whole.p99))} | ${n0(median(runs.map((x) => x.rps)))} | ${runs.reduce((a, x) => a + x.errors, 0)} |`,
    ),
    "",
    `Logging: the gateway of (b) runs at the shipped logging (telemetry.logLevel info, accessLogSampleRate ${ACCESS_SAMPLE}: errors always, one request in ${Math.round(1 / ACCESS_SAMPLE)} at info), written synchronously to a file as pino writes stdout: ${perReq(logBytes.shipped)}. Row (h) logs every request at info: ${perReq(logBytes.every)}.`,
    "",
    "Targets (issue 18; ratios of quantities measured in this run, medians of the repeats):",
    "",
    ...targets.map(ratioVerdict),
    "",
    "Row (g) is the issue's \"(c) with guardrails on\": a second gateway process with the default input and output guardrails (local layers: PII, injection, profanity, toxicity, topics), under the load of (b). " +
      "Rows (e) and (f) are not the gateway: a bare Fastify + undici proxy (bench/floor-process.ts), without and with one Redis round trip (three commands in one write) before the upstream call, measured the same way: what this machine charges for the least a Redis-backed gateway must do.",
    "",
  ];
  if (soakResult) {
    const first = mem[0]?.m;
    const mid = mem[Math.floor(mem.length / 2)];
    const last = mem.at(-1);
    lines.push(
      `Soak: ${opts.soakRate} req/s offered for ${opts.soakSeconds} s: ${soakResult.rps.toFixed(0)} req/s, p50 ${f(soakResult.p50, 1)} ms, p99 ${f(soakResult.p99, 1)} ms, ` +
        `${soakResult.errors} errors, overhead p50 ${f(soakResult.overhead.p50, 3)} ms, p99 ${f(soakResult.overhead.p99, 3)} ms.`,
      "",
      "| gateway memory after a forced GC | start | middle | end |",
      "|---|---:|---:|---:|",
      `| time (s) | ${f(mem[0]?.t, 0)} | ${f(mid?.t, 0)} | ${f(last?.t, 0)} |`,
      `| RSS (MiB) | ${first ? mib(first.rss) : "–"} | ${mid ? mib(mid.m.rss) : "–"} | ${last ? mib(last.m.rss) : "–"} |`,
      `| heap used (MiB) | ${first ? mib(first.heapUsed) : "–"} | ${mid ? mib(mid.m.heapUsed) : "–"} | ${last ? mib(last.m.heapUsed) : "–"} |`,
      "",
      `Heap used every 15 s (MiB): ${mem.map((x) => mib(x.m.heapUsed)).join(", ")}.`,
      "",
    );
  }
  process.stdout.write(lines.join("\n") + "\n");
  if (opts.write) {
    const results = resolve(__dirname, "..", "..", "..", "bench", "RESULTS.md");
    const existing = existsSync(results) ? readFileSync(results, "utf8") : "# Benchmark results\n";
    writeFileSync(results, appendToSection(existing, "Gateway", INTRO, lines.join("\n")));
  }
}

/** The shipped access-log sample rate (the schema's default, which the chart and the platform set). */
const ACCESS_SAMPLE = gatewayConfigSchema.shape.telemetry.parse({}).accessLogSampleRate;

const INTRO =
  "Measured by `npx tsx services/gateway/bench/gateway-bench.ts` (`make bench-gateway`; `--soak` for the memory soak): a constant offered rate (open loop: evenly spaced requests over 50 keep-alive connections, latency counted from each request's scheduled send time) against the OpenAI stand-in directly and through the gateway (API-key auth, Redis RPM + TPM limits with the Llama 3 tokenizer, a response-cache lookup that misses), plus the same load from autocannon, whose per-second rate limit sends bursts. Overhead quantiles are exact, over every answer's `x-gateway-overhead-ms`.";

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
