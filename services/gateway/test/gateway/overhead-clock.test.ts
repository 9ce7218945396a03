/**
 * x-gateway-overhead-ms and the duration/overhead histograms start when Node's HTTP server emits the request, not
 * at Fastify's onRequest hook: work the process does on a request before Fastify's hooks run counts. And
 * llm_gateway_event_loop_delay_seconds reports how late the event loop ran (the wait the overhead leaves out).
 */
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { bearer, KEYS, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

let redis: TestRedis;
let standin: OpenAIStandin;
let gw: TestGateway;

beforeAll(async () => {
  redis = await TestRedis.start();
  standin = await OpenAIStandin.start();
  gw = await startGateway(testConfig({ big: [standin.url], small: [standin.url] }), redis.url);
});

afterAll(async () => {
  await gw.close();
  await standin.stop();
  await redis.stop();
});

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end);
}

const chat = { model: "mistral-7b", messages: [{ role: "user", content: "hello" }] };

test("time spent on a request between the server's request event and Fastify's hooks is in the header and the histograms", async () => {
  const server = gw.app.server;
  const listeners = server.listeners("request") as Array<(...a: unknown[]) => void>;
  // The gateway's arrival stamp comes first, Fastify's router last: put 80 ms of work between them.
  expect(listeners.length).toBeGreaterThanOrEqual(2);
  server.removeAllListeners("request");
  const [first, ...rest] = listeners;
  server.on("request", first as (...a: unknown[]) => void);
  server.on("request", () => busy(80));
  for (const l of rest) server.on("request", l);
  try {
    const res = await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: chat });
    expect(res.status).toBe(200);
    expect(Number(res.headers.get("x-gateway-overhead-ms"))).toBeGreaterThanOrEqual(80);
  } finally {
    server.removeAllListeners("request");
    for (const l of listeners) server.on("request", l);
  }
  const text = await gw.registry.metrics();
  // The 80 ms request lands in the overhead histogram above its 50-ms bucket.
  const le50 = Number(/llm_gateway_overhead_seconds_bucket\{le="0\.05",route="chat\.completions"\} (\d+)/.exec(text)?.[1]);
  const count = Number(/llm_gateway_overhead_seconds_count\{route="chat\.completions"\} (\d+)/.exec(text)?.[1]);
  expect(count - le50).toBeGreaterThanOrEqual(1);
});

test("llm_gateway_event_loop_delay_seconds reports a blocked event loop, then resets at the scrape", async () => {
  await gw.registry.metrics(); // resets the window
  await new Promise((r) => setTimeout(r, 30));
  busy(120);
  await new Promise((r) => setTimeout(r, 30));
  const max = Number(/llm_gateway_event_loop_delay_seconds\{quantile="1"\} ([\d.e-]+)/.exec(await gw.registry.metrics())?.[1]);
  expect(max).toBeGreaterThanOrEqual(0.1);
  await new Promise((r) => setTimeout(r, 60));
  const after = Number(/llm_gateway_event_loop_delay_seconds\{quantile="1"\} ([\d.e-]+)/.exec(await gw.registry.metrics())?.[1]);
  expect(after).toBeLessThan(0.1);
});
