/**
 * Gateway benchmark (not a test): autocannon at a fixed rate against
 *   (a) the OpenAI stand-in directly, and
 *   (b) the gateway with API-key auth, Redis rate limits (RPM + TPM) and a cache lookup (temperature 0; every
 *       request's last message is unique, so lookups miss and the tokenizer really runs on it).
 * Prints requests/s, p50/p99 latency, and the gateway's own overhead (llm_gateway_overhead_seconds: time not
 * spent waiting on the upstream, p50/p99 from the histogram), and appends a table to bench/RESULTS.md under
 * "Gateway". Target: p99 overhead ≤ 1 ms at 1,000 req/s for (b).
 *
 *   npx tsx services/gateway/bench/gateway-bench.ts [--rate 1000] [--seconds 20] [--connections 50]
 */
import autocannon from "autocannon";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { resolve } from "node:path";
import { Command } from "commander";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { TestRedis } from "../test/support/redis-server";

/** A child process running a bench helper with tsx; resolves with it and a line reader. */
async function child(script: string, args: string[]): Promise<{ proc: ChildProcess; next: () => Promise<string> }> {
  const proc = spawn(process.execPath, [require.resolve("tsx/cli"), resolve(__dirname, script), ...args], { stdio: ["pipe", "pipe", "inherit"] });
  const lines = createInterface({ input: proc.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await lines.next();
    if (r.done) throw new Error(`${script} exited`);
    return r.value as string;
  };
  return { proc, next };
}

interface Row {
  readonly target: string;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly overheadP50?: number;
  readonly overheadP99?: number;
}

async function run(url: string, headers: Record<string, string>, rate: number, seconds: number, connections: number): Promise<autocannon.Result> {
  let n = 0;
  return autocannon({
    url,
    method: "POST",
    connections,
    overallRate: rate,
    duration: seconds,
    headers: { "content-type": "application/json", ...headers },
    requests: [
      {
        setupRequest: (req) => ({
          ...req,
          body: JSON.stringify({
            model: url.includes("/v1/chat") && headers.authorization ? "mistral-7b" : "mistralai/Mistral-7B-Instruct-v0.3",
            temperature: 0,
            max_tokens: 16,
            messages: [
              { role: "system", content: "You are a concise assistant for the support team. Answer in one sentence." },
              { role: "user", content: `Where can I find the runbook for incident ${n++}?` },
            ],
          }),
        }),
      },
    ],
  });
}

/** Quantile from a prom-client histogram's cumulative buckets (upper bound of the bucket holding it). */
function histogramQuantile(text: string, name: string, q: number): number {
  const buckets: Array<[number, number]> = [];
  for (const line of text.split("\n")) {
    const m = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\} (\\d+)`).exec(line);
    if (m) buckets.push([m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2])]);
  }
  const byLe = new Map<number, number>();
  for (const [le, c] of buckets) byLe.set(le, (byLe.get(le) ?? 0) + c);
  const sorted = [...byLe.entries()].sort((a, b) => a[0] - b[0]);
  const total = sorted.at(-1)?.[1] ?? 0;
  for (const [le, c] of sorted) if (c >= q * total) return le * 1000;
  return NaN;
}

async function main(): Promise<void> {
  const opts = new Command()
    .option("--rate <n>", "requests per second", "1000")
    .option("--seconds <n>", "duration per target", "20")
    .option("--connections <n>", "concurrent connections", "50")
    .parse()
    .opts<{ rate: string; seconds: string; connections: string }>();
  const rate = Number(opts.rate);
  const seconds = Number(opts.seconds);
  const connections = Number(opts.connections);

  // Three processes, as in production: the upstream, the gateway, and the load generator (this one).
  const redis = await TestRedis.start();
  const standin = await child("standin-process.ts", []);
  const upstreamUrl = await standin.next();
  const gateway = await child("gateway-process.ts", [upstreamUrl, redis.url]);
  const [gwUrl, key] = (await gateway.next()).split(" ") as [string, string];
  const rows: Row[] = [];
  try {
    // Warm-up (JIT, keep-alive pools, tokenizer memo for the system prompt).
    await run(`${gwUrl}/v1/chat/completions`, { authorization: `Bearer ${key}` }, rate, 3, connections);
    const a = await run(`${upstreamUrl}/v1/chat/completions`, {}, rate, seconds, connections);
    rows.push({ target: "(a) stand-in directly", rps: a.requests.average, p50: a.latency.p50, p99: a.latency.p99, errors: a.errors + a.non2xx });
    gateway.proc.stdin?.write("reset\n");
    await gateway.next();
    const b = await run(`${gwUrl}/v1/chat/completions`, { authorization: `Bearer ${key}` }, rate, seconds, connections);
    gateway.proc.stdin?.write("metrics\n");
    const metrics = (JSON.parse(await gateway.next()) as string[]).join("\n");
    rows.push({
      target: "(b) gateway: auth + rate limit + cache lookup",
      rps: b.requests.average,
      p50: b.latency.p50,
      p99: b.latency.p99,
      errors: b.errors + b.non2xx,
      overheadP50: histogramQuantile(metrics, "llm_gateway_overhead_seconds", 0.5),
      overheadP99: histogramQuantile(metrics, "llm_gateway_overhead_seconds", 0.99),
    });
  } finally {
    gateway.proc.stdin?.write("quit\n");
    standin.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 500));
    await redis.stop();
  }

  const cpu = cpus()[0]?.model ?? "unknown CPU";
  const machine = `${cpus().length} × ${cpu}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
  const fmt = (n: number | undefined): string => (n === undefined || Number.isNaN(n) ? "–" : n.toFixed(2));
  const lines = [
    `### ${new Date().toISOString()}: ${rate} req/s target, ${seconds} s, ${connections} connections`,
    `Machine: ${machine}`,
    "",
    "| target | req/s | p50 ms | p99 ms | errors | overhead p50 ms (≤) | overhead p99 ms (≤) |",
    "|---|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.target} | ${r.rps.toFixed(0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${r.errors} | ${fmt(r.overheadP50)} | ${fmt(r.overheadP99)} |`),
    "",
    `Latency difference (b − a): p50 ${fmt((rows[1]?.p50 ?? 0) - (rows[0]?.p50 ?? 0))} ms, p99 ${fmt((rows[1]?.p99 ?? 0) - (rows[0]?.p99 ?? 0))} ms. ` +
      "Overhead quantiles are histogram bucket upper bounds (buckets 0.1, 0.25, 0.5, 1, 2, 5 ms ...). Target: overhead p99 ≤ 1 ms at 1,000 req/s.",
    "",
  ];
  process.stdout.write(lines.join("\n") + "\n");
  const results = resolve(__dirname, "..", "..", "..", "bench", "RESULTS.md");
  const existing = existsSync(results) ? readFileSync(results, "utf8") : "";
  appendFileSync(results, (existing.includes("\n## Gateway\n") || existing.startsWith("## Gateway\n") ? "" : "\n## Gateway\n\n") + lines.join("\n") + "\n");
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
