/**
 * Runs a gateway in its own process for the benchmark: argv = upstream URL, Redis URL, a mode ("plain", or
 * "guardrails": the default input and output guardrails on, local layers, as `guardrails: { enabled: true }` gives in
 * production), optionally the file its logs go to (default /dev/null), the access-log sample rate (default: the
 * shipped one, the schema's default, which the chart and the platform set) and the URL of a second upstream for
 * the "llama-3-70b" model (streaming rows; default the first). It logs as server.ts does: pino with the production
 * logger options at the shipped level, written synchronously like pino's stdout. Prints "<url> <api key>"
 * as the first stdout line, then answers one line per command read from stdin:
 *   reset              → resets the metrics registry                         → "ok"
 *   metrics            → the overhead histogram's bucket lines (JSON array)
 *   cpu                → process.cpuUsage() as JSON (microseconds)
 *   mem                → {"rss","heapUsed","heapTotal","external"} in bytes (after a GC when --expose-gc)
 *   prof-start         → starts the V8 CPU profiler (node:inspector)         → "ok"
 *   prof-stop <file>   → stops it and writes a .cpuprofile to <file>        → "ok"
 *   heap-start         → starts V8's sampling heap profiler, keeping only objects that survive a young-generation
 *                        GC (the allocations that make scavenges slow and fill the old generation) → "ok"
 *   alloc-start        → the same profiler keeping every allocation (also what young GCs collect)  → "ok"
 *   heap-stop <file>   → stops it and writes a .heapprofile to <file>       → "ok"
 *   gc-reset           → zeroes the GC pause statistics                     → "ok"
 *   gc                 → GC pauses since gc-reset: {"young":{"n","ms","max"},"full":{...}} (ms)
 *   gclist             → every GC pause since gc-reset as [start, duration] (start in ms since the epoch)
 *   snapshot <file>    → writes a V8 heap snapshot to <file>                → "ok"
 *   quit               → closes the gateway and exits
 * As in production (server.ts), a NodeTracerProvider is registered (spans are real, nothing is exported) and
 * the chat model uses Llama 3's tokenizer.
 */
import { writeFileSync } from "node:fs";
import { Session } from "node:inspector";
import { PerformanceObserver, constants as perf } from "node:perf_hooks";
import { createInterface } from "node:readline";
import pino from "pino";
import { Registry } from "prom-client";
import { gatewayConfigSchema } from "../src/config/schema";
import { loggerOptions } from "../src/telemetry/logger";
import { initTracing } from "../src/telemetry/tracing";
import { createGuardrails, guardrailsConfigSchema } from "../src/guardrails";
import { KEYS, startGateway, testConfig } from "../test/support/gateway-fixture";

function post<T>(session: Session, method: string): Promise<T> {
  return new Promise((resolve, reject) => session.post(method, (err, res) => (err ? reject(err) : resolve(res as T))));
}

interface Pauses {
  n: number;
  ms: number;
  max: number;
}
const pauses = { young: { n: 0, ms: 0, max: 0 } as Pauses, full: { n: 0, ms: 0, max: 0 } as Pauses };
/** Every GC pause since gc-reset: [start (ms since the epoch), duration (ms)]. */
const gcList: Array<[number, number]> = [];
/** Records every GC pause (perf_hooks "gc" entries) as young-generation (scavenge) or full (mark-compact). */
function watchGc(): void {
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      const kind = (e as unknown as { detail?: { kind?: number } }).detail?.kind;
      const p = kind === perf.NODE_PERFORMANCE_GC_MINOR ? pauses.young : kind === perf.NODE_PERFORMANCE_GC_MAJOR ? pauses.full : undefined;
      if (!p) continue;
      gcList.push([performance.timeOrigin + e.startTime, e.duration]);
      p.n++;
      p.ms += e.duration;
      p.max = Math.max(p.max, e.duration);
    }
  }).observe({ entryTypes: ["gc"] });
}

async function main(): Promise<void> {
  watchGc();
  const [upstream, redisUrl, mode, logFile, sampleRate, streamUpstream] = process.argv.slice(2) as [string, string, string | undefined, string | undefined, string | undefined, string | undefined];
  const shutdownTracing = initTracing("llm-gateway-bench", { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: "", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "" });
  // The shipped logging: the schema's defaults (which the chart and the platform set explicitly).
  const shipped = gatewayConfigSchema.shape.telemetry.parse({});
  const telemetry = { logLevel: shipped.logLevel, accessLogSampleRate: sampleRate ? Number(sampleRate) : shipped.accessLogSampleRate };
  const cfg = testConfig(
    { big: [streamUpstream || upstream], small: [upstream] },
    { telemetry, limits: { tiers: { standard: { principal: { rpm: 10_000_000, tpm: 1_000_000_000 }, tenant: { rpm: 10_000_000, tpm: 1_000_000_000 } } } } },
  );
  const logger = pino(loggerOptions(telemetry.logLevel), pino.destination({ dest: logFile || "/dev/null", sync: true }));
  // Llama 3's tokenizer for the chat model, as in production.
  (cfg.models["mistral-7b"] as { tokenizer: string }).tokenizer = "llama3";
  const registry = new Registry();
  const guardrails = mode === "guardrails" ? createGuardrails(guardrailsConfigSchema.parse({ enabled: true }), { registry }) : undefined;
  const gw = await startGateway(cfg, redisUrl, { registry, logger, ...(guardrails ? { guardrails } : {}) });
  process.stdout.write(`${gw.url} ${KEYS.tenantA}\n`);
  const session = new Session();
  session.connect();
  for await (const line of createInterface({ input: process.stdin })) {
    const [cmd, arg] = line.split(" ", 2) as [string, string | undefined];
    if (cmd === "reset") {
      registry.resetMetrics();
      process.stdout.write("ok\n");
    } else if (cmd === "metrics") {
      const text = await registry.metrics();
      const wanted = text.split("\n").filter((l) => l.startsWith("llm_gateway_overhead_seconds_bucket"));
      process.stdout.write(`${JSON.stringify(wanted)}\n`);
    } else if (cmd === "cpu") {
      process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
    } else if (cmd === "mem") {
      (globalThis as { gc?: () => void }).gc?.();
      const m = process.memoryUsage();
      process.stdout.write(`${JSON.stringify({ rss: m.rss, heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external })}\n`);
    } else if (cmd === "gc-reset") {
      for (const p of Object.values(pauses)) Object.assign(p, { n: 0, ms: 0, max: 0 });
      gcList.length = 0;
      process.stdout.write("ok\n");
    } else if (cmd === "gclist") {
      process.stdout.write(`${JSON.stringify(gcList)}\n`);
    } else if (cmd === "gc") {
      process.stdout.write(`${JSON.stringify(pauses)}\n`);
    } else if (cmd === "heap-start" || cmd === "alloc-start") {
      await post(session, "HeapProfiler.enable");
      const all = cmd === "alloc-start";
      await new Promise<void>((res, rej) =>
        session.post("HeapProfiler.startSampling", { samplingInterval: 1024, includeObjectsCollectedByMinorGC: all, includeObjectsCollectedByMajorGC: true }, (err) => (err ? rej(err) : res())),
      );
      process.stdout.write("ok\n");
    } else if (cmd === "heap-stop" && arg) {
      const { profile } = await post<{ profile: unknown }>(session, "HeapProfiler.stopSampling");
      writeFileSync(arg, JSON.stringify(profile));
      process.stdout.write("ok\n");
    } else if (cmd === "snapshot" && arg) {
      const chunks: string[] = [];
      const onChunk = (m: { params: { chunk: string } }): void => void chunks.push(m.params.chunk);
      session.on("HeapProfiler.addHeapSnapshotChunk", onChunk);
      await post(session, "HeapProfiler.takeHeapSnapshot");
      session.off("HeapProfiler.addHeapSnapshotChunk", onChunk);
      writeFileSync(arg, chunks.join(""));
      process.stdout.write("ok\n");
    } else if (cmd === "prof-start") {
      await post(session, "Profiler.enable");
      await post(session, "Profiler.start");
      process.stdout.write("ok\n");
    } else if (cmd === "prof-stop" && arg) {
      const { profile } = await post<{ profile: unknown }>(session, "Profiler.stop");
      writeFileSync(arg, JSON.stringify(profile));
      process.stdout.write("ok\n");
    } else if (cmd === "quit") {
      session.disconnect();
      await gw.close();
      await shutdownTracing();
      process.exit(0);
    }
  }
}
void main();
