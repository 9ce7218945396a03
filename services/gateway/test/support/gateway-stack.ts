/**
 * The setup most gateway suites share: a real Redis, one OpenAI stand-in serving both test models, and a gateway on
 * them. Its own module (not gateway-fixture.ts): the stand-in needs the OpenAPI documents, and suites importing it
 * are left out when they are absent (specs-location.js follows imports).
 */
import type { GatewayConfigInput } from "../../src/config/schema";
import { startGateway, testConfig, type TestGateway } from "./gateway-fixture";
import { OpenAIStandin } from "./openai-standin";
import { TestRedis } from "./redis-server";

export interface GatewayStack {
  readonly redis: TestRedis;
  readonly upstream: OpenAIStandin;
  readonly gw: TestGateway;
  /** Closes the gateway, then the stand-in and Redis. */
  stop(): Promise<void>;
}

export async function startGatewayStack(overrides: Partial<GatewayConfigInput> = {}): Promise<GatewayStack> {
  const redis = await TestRedis.start();
  const upstream = await OpenAIStandin.start();
  const gw = await startGateway(testConfig({ big: [upstream.url], small: [upstream.url] }, overrides), redis.url);
  return {
    redis,
    upstream,
    gw,
    stop: async () => {
      await gw.close();
      await upstream.stop();
      await redis.stop();
    },
  };
}
