/**
 * The benchmark's floor (not the gateway): a bare Fastify server proxying POST /v1/chat/completions to the
 * upstream with undici, as the gateway does, but without auth, limits, cache, routing, telemetry or validation.
 * It shows what the framework, the HTTP client and this machine cost on their own, next to the gateway's rows:
 *   POST /bare/v1/chat/completions    proxy only
 *   POST /redis/v1/chat/completions   proxy plus one Redis round trip per request before the upstream call (three
 *                                     commands in one write, as the gateway's RPM + TPM + cache lookup)
 * Each answer carries x-gateway-overhead-ms measured like the gateway's (from onRequest to the answer, minus the
 * upstream call). A request with "stream": true goes to the streaming upstream (third argument, default the
 * first) and its answer is piped through as it arrives.
 * argv = upstream URL, Redis URL[, streaming upstream URL]; prints its URL as the first stdout line; "quit" on
 * stdin exits.
 */
import Fastify from "fastify";
import { Redis } from "ioredis";
import { createInterface } from "node:readline";
import { Pool } from "undici";

async function main(): Promise<void> {
  const [upstream, redisUrl, streamUpstream] = process.argv.slice(2) as [string, string, string | undefined];
  const pool = new Pool(upstream, { connections: 64, pipelining: 1 });
  const streamPool = streamUpstream ? new Pool(streamUpstream, { connections: 64, pipelining: 1 }) : pool;
  const redis = new Redis(redisUrl, { enableAutoPipelining: false, lazyConnect: true });
  await redis.connect();
  const app = Fastify({ logger: { level: "error" } });
  app.decorateRequest("startedAt", 0);
  app.addHook("onRequest", async (request) => {
    (request as unknown as { startedAt: number }).startedAt = performance.now();
  });
  let seq = 0;
  for (const withRedis of [false, true]) {
    app.post(`/${withRedis ? "redis" : "bare"}/v1/chat/completions`, async (request, reply) => {
      const startedAt = (request as unknown as { startedAt: number }).startedAt;
      if (withRedis) {
        const n = seq++;
        // One write per request (corked for its three commands only): the least a gateway's limits and cache
        // lookup need, without batching across requests.
        redis.stream.cork();
        const sent = [redis.incr("floor:a"), redis.incr("floor:b"), redis.get(`floor:cache:${n}`)];
        redis.stream.uncork();
        await Promise.all(sent);
      }
      const body = request.body as Record<string, unknown>;
      if (body.stream === true) {
        const res = await streamPool.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, model: "mistralai/Mistral-7B-Instruct-v0.3" }) });
        reply.header("content-type", "text/event-stream");
        return reply.send(res.body);
      }
      const sentAt = performance.now();
      const res = await pool.request({ method: "POST", path: "/v1/chat/completions", headers: { "content-type": "application/json" }, body: JSON.stringify({ ...body, model: "mistralai/Mistral-7B-Instruct-v0.3" }) });
      const json = (await res.body.json()) as Record<string, unknown>;
      const upstreamMs = performance.now() - sentAt;
      reply.header("x-gateway-overhead-ms", Math.max(0, performance.now() - startedAt - upstreamMs).toFixed(3));
      return json;
    });
  }
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  process.stdout.write(`${url}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "quit") {
      await app.close();
      await pool.close();
      if (streamPool !== pool) await streamPool.close();
      redis.disconnect();
      process.exit(0);
    }
  }
}
void main();
