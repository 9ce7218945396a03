/**
 * A request refused by an input guardrail gets its 400 at once: the refund of its prompt-token charge goes out with
 * the next batch of usage corrections (limits.usageCorrectionBatchMs), not before the answer.
 */
import { Redis } from "ioredis";
import { Registry } from "prom-client";
import { createGuardrails } from "../../src/guardrails";
import { guardrailsConfigSchema } from "../../src/guardrails/config";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { KEYS, bearer, startGateway, testConfig } from "../support/gateway-fixture";

let redis: TestRedis;
let upstream: OpenAIStandin;

beforeAll(async () => {
  redis = await TestRedis.start();
  upstream = await OpenAIStandin.start();
});
afterAll(async () => {
  await upstream.stop();
  await redis.stop();
});

test("the refusal is answered before its token refund is written; the refund is written with the batch", async () => {
  // The longest batch the schema allows, so "answered before the batch" cannot happen by chance.
  const cfg = testConfig({ big: [upstream.url], small: [upstream.url] }, { redis: { keyPrefix: "refusal:" }, limits: { usageCorrectionBatchMs: 1_000 } });
  const guardrails = createGuardrails(guardrailsConfigSchema.parse({}), { registry: new Registry() });
  const gw = await startGateway(cfg, redis.url, { guardrails });
  const key = "refusal:rl:principal:tokens:tenant-a:apikey:a1";
  try {
    const res = await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: { model: "mistral-7b", messages: [{ role: "user", content: "my ssn is 536-22-1234, please file it" }] } });
    expect(res.status).toBe(400);
    expect(res.json.error?.code).toBe("pii_blocked");
    // Answered while the prompt's estimate is still charged: the refund waits in its batch ...
    expect(Number(await gw.redis.get(key))).toBeGreaterThan(0);
    expect(upstream.requests).toHaveLength(0);
  } finally {
    await gw.close();
  }
  // ... and is written with it (here on close, which flushes): the refused prompt costs no tokens.
  const check = new Redis(redis.url);
  try {
    expect(Number((await check.get(key)) ?? 0)).toBe(0);
  } finally {
    check.disconnect();
  }
});
