/**
 * Graceful shutdown of the real process (src/server.ts, as the container runs it), with real Redis and a slow
 * streaming upstream: on SIGTERM the gateway stops accepting, lets an in-flight stream finish within
 * server.shutdownGraceMs, writes what is still batched (a cache store) and exits 0; a stream that outlasts the
 * grace period is cut and the process exits 1.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { spawnGateway, type GatewayProcess } from "../support/gateway-process";
import { sha256Hex } from "../../src/auth/api-keys";

const KEY = "sk-test-shutdown-00000000000000001";
let redis: TestRedis;
let dir: string;

beforeAll(async () => {
  redis = await TestRedis.start();
  dir = mkdtempSync(join(tmpdir(), "gw-shutdown-"));
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: [{ id: "svc", sha256: sha256Hex(KEY), tenant: "t", scopes: ["chat"] }] }));
});

afterAll(async () => {
  await redis.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Starts src/server.ts with a config file for this upstream; resolves once it listens (its log says where). */
async function startServer(upstream: string, prefix: string, shutdownGraceMs: number, shutdownDelayMs = 0): Promise<GatewayProcess> {
  const config = join(dir, `${prefix}config.yaml`);
  writeFileSync(
    config,
    stringify({
      server: { host: "127.0.0.1", port: 0, shutdownGraceMs, shutdownDelayMs },
      redis: { url: redis.url, keyPrefix: prefix },
      auth: { apiKeys: { hashesFile: join(dir, "keys.yaml") } },
      telemetry: { logLevel: "info" },
      cache: { storeBatchMs: 1_000 },
      guardrails: { enabled: false },
      routing: { auto: { highModel: "mistral-7b", lowModel: "mistral-7b" } },
      models: { "mistral-7b": { upstreamModel: "mistralai/Mistral-7B-Instruct-v0.3", upstreams: [upstream], tokenizer: "mistral" } },
    }),
  );
  return spawnGateway(["--import", "tsx", resolve(__dirname, "../../src/server.ts")], { env: { ...process.env, GATEWAY_CONFIG: config, OTEL_SDK_DISABLED: "true" } });
}

const headers = { authorization: `Bearer ${KEY}`, "content-type": "application/json" };
const streamBody = JSON.stringify({ model: "mistral-7b", stream: true, messages: [{ role: "user", content: "a slow answer please" }] });

/** Reads a response body to the end (or until the connection is cut), as text. */
async function readAll(reader: ReadableStreamDefaultReader<Uint8Array>, first: string): Promise<{ text: string; cut: boolean }> {
  const dec = new TextDecoder();
  let text = first;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text, cut: false };
      text += dec.decode(value, { stream: true });
    }
  } catch {
    return { text, cut: true };
  }
}

test("SIGTERM: new requests are refused, the in-flight stream finishes, batched writes land, exit 0", async () => {
  const upstream = await OpenAIStandin.start({ chunkDelayMs: 80, words: 10 });
  const gw = await startServer(upstream.url, "drain:", 10_000);
  try {
    // A cacheable answer whose store is still batched (1 s) when the signal comes.
    const cached = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers, body: JSON.stringify({ model: "mistral-7b", temperature: 0, messages: [{ role: "user", content: "store me" }] }) });
    expect(cached.status).toBe(200);
    expect(cached.headers.get("x-cache")).toBe("miss");
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers, body: streamBody });
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(first).toContain("data: ");

    gw.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    // No new work: a new connection is refused (or, on a kept-alive one, 503).
    const late = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers, body: streamBody }).then(
      (r) => r.status,
      () => "refused" as const,
    );
    expect([503, "refused"]).toContain(late);

    const { text, cut } = await readAll(reader, first);
    expect(cut).toBe(false);
    expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
    // The whole answer arrived: all ten words of the stand-in's stream.
    const content = text
      .split("\n")
      .filter((l) => l.startsWith("data: {"))
      .map((l) => (JSON.parse(l.slice(6)) as { choices: Array<{ delta?: { content?: string } }> }).choices[0]?.delta?.content ?? "")
      .join("");
    expect(content.trim().split(/\s+/)).toHaveLength(10);
    const code = await gw.exit;
    if (code !== 0) console.log(gw.log.join("\n"));
    expect(code).toBe(0);
    expect(gw.log.join("\n")).toContain("shutdown complete");
    // The batched cache store was written before Redis was closed.
    const { Redis } = await import("ioredis");
    const check = new Redis(redis.url);
    try {
      expect(await check.keys("drain:cache:*")).toHaveLength(1);
    } finally {
      check.disconnect();
    }
  } finally {
    if (gw.proc.exitCode === null) gw.proc.kill("SIGKILL");
    await upstream.stop();
  }
}, 30_000);

test("SIGTERM: a stream that outlasts server.shutdownGraceMs is cut and the process exits 1", async () => {
  const upstream = await OpenAIStandin.start({ chunkDelayMs: 400, words: 10 });
  const gw = await startServer(upstream.url, "cut:", 500);
  try {
    const res = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers, body: streamBody });
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    const signalled = Date.now();
    gw.proc.kill("SIGTERM");
    const { text } = await readAll(reader, first);
    expect(text).not.toContain("data: [DONE]");
    expect(await gw.exit).toBe(1);
    // Cut at the grace period (500 ms), well before the stream's remaining ~3.6 s.
    expect(Date.now() - signalled).toBeLessThan(3_000);
    expect(gw.log.join("\n")).toContain("grace period over");
  } finally {
    if (gw.proc.exitCode === null) gw.proc.kill("SIGKILL");
    await upstream.stop();
  }
}, 30_000);

test("SIGTERM with server.shutdownDelayMs: new requests are still served meanwhile with /readyz at 503 draining; then it drains and exits 0", async () => {
  const upstream = await OpenAIStandin.start({ words: 4 });
  const gw = await startServer(upstream.url, "delay:", 10_000, 2_500);
  try {
    expect((await fetch(`${gw.url}/readyz`)).status).toBe(200);
    const signalled = Date.now();
    gw.proc.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 300));
    // Within the delay: not ready, but a new connection is accepted and answered.
    const ready = await fetch(`${gw.url}/readyz`, { headers: { connection: "close" } });
    expect(ready.status).toBe(503);
    expect(((await ready.json()) as { status: string }).status).toBe("draining");
    // The chart's probe excludes the shared dependencies, never draining.
    const probe = await fetch(`${gw.url}/readyz?exclude=models&exclude=redis`, { headers: { connection: "close" } });
    expect(probe.status).toBe(503);
    expect(((await probe.json()) as { status: string }).status).toBe("draining");
    const served = await fetch(`${gw.url}/v1/chat/completions`, { method: "POST", headers: { ...headers, connection: "close" }, body: JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "still there?" }] }) });
    expect(served.status).toBe(200);
    expect(Date.now() - signalled).toBeLessThan(2_500);
    // After the delay it stops accepting and exits cleanly.
    const code = await gw.exit;
    if (code !== 0) console.log(gw.log.join("\n"));
    expect(code).toBe(0);
    expect(Date.now() - signalled).toBeGreaterThanOrEqual(2_500);
    expect(gw.log.join("\n")).toContain("still serving while load balancers stop sending new connections");
  } finally {
    if (gw.proc.exitCode === null) gw.proc.kill("SIGKILL");
    await upstream.stop();
  }
});
