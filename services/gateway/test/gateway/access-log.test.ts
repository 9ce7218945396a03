/**
 * The shipped per-request logging (src/telemetry/access-log.ts): one line per request at most, at info for a
 * sample of requests (telemetry.accessLogSampleRate), at debug for the rest, and failed requests (5xx) always at
 * error; "incoming request" only at debug. Through a real gateway, with a pino logger writing to memory.
 */
import fc from "fast-check";
import pino from "pino";
import { Writable } from "node:stream";
import type { FastifyReply, FastifyRequest } from "fastify";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { bearer, KEYS, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";
import { loggerOptions } from "../../src/telemetry/logger";
import { parseConfig } from "../../src/config/load";
import { SampledAccessLog } from "../../src/telemetry/access-log";

let redis: TestRedis;
let standin: OpenAIStandin;

beforeAll(async () => {
  redis = await TestRedis.start();
  standin = await OpenAIStandin.start();
});

afterAll(async () => {
  await standin.stop();
  await redis.stop();
});

interface Line {
  level: string;
  msg: string;
  res?: { statusCode: number };
  req?: { method: string; url: string };
}

/** A gateway whose log lines (production logger options) are collected as JSON. */
async function gatewayLogging(logLevel: "info" | "debug", accessLogSampleRate: number): Promise<{ gw: TestGateway; lines: Line[] }> {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString("utf8").split("\n").filter(Boolean)) lines.push(JSON.parse(l) as Line);
      done();
    },
  });
  const config = testConfig({ big: [standin.url], small: [standin.url] }, { telemetry: { logLevel, accessLogSampleRate } });
  const gw = await startGateway(config, redis.url, { logger: pino(loggerOptions(logLevel), sink) });
  return { gw, lines };
}

const chat = { model: "mistral-7b", messages: [{ role: "user", content: "hello" }] };

/** Five answered chat requests and one that fails (every upstream attempt 503s). */
async function traffic(gw: TestGateway): Promise<void> {
  for (let i = 0; i < 5; i++) expect((await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: chat })).status).toBe(200);
  standin.setDefault({ kind: "status", status: 503 });
  try {
    expect((await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.tenantA), json: chat })).status).toBeGreaterThanOrEqual(500);
  } finally {
    standin.reset();
  }
  await new Promise((r) => setTimeout(r, 50));
}

const requestLines = (lines: Line[]): Line[] => lines.filter((l) => ["incoming request", "request completed", "request failed", "request errored"].includes(l.msg));

test("at info with sample rate 0, only the failed request is logged, at error, with its status and route", async () => {
  const { gw, lines } = await gatewayLogging("info", 0);
  try {
    await traffic(gw);
  } finally {
    await gw.close();
  }
  const logged = requestLines(lines);
  expect(logged).toHaveLength(1);
  expect(logged[0]).toMatchObject({ level: "error", msg: "request failed", req: { method: "POST", url: "/v1/chat/completions" } });
  expect(logged[0]?.res?.statusCode).toBeGreaterThanOrEqual(500);
});

test("with sample rate 1 every request gets exactly one info line (no 'incoming request'); the failure stays at error", async () => {
  const { gw, lines } = await gatewayLogging("info", 1);
  try {
    await traffic(gw);
  } finally {
    await gw.close();
  }
  const logged = requestLines(lines);
  expect(logged.filter((l) => l.msg === "request completed" && l.level === "info")).toHaveLength(5);
  expect(logged.filter((l) => l.level === "error")).toHaveLength(1);
  expect(logged).toHaveLength(6);
});

test("at debug every request is logged (incoming and completed), sampled or not", async () => {
  const { gw, lines } = await gatewayLogging("debug", 0);
  try {
    await traffic(gw);
  } finally {
    await gw.close();
  }
  const logged = requestLines(lines);
  expect(logged.filter((l) => l.msg === "incoming request" && l.level === "debug")).toHaveLength(6);
  expect(logged.filter((l) => l.msg === "request completed" && l.level === "debug")).toHaveLength(5);
  expect(logged.filter((l) => l.msg === "request failed" && l.level === "error")).toHaveLength(1);
});

test("the sample is the requests whose random draw falls under the rate (property)", () => {
  fc.assert(
    fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.array(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), { maxLength: 50 }), (rate, draws) => {
      const calls: string[] = [];
      const log = { info: () => calls.push("info"), debug: () => calls.push("debug"), error: () => calls.push("error") };
      let k = 0;
      const ctl = new SampledAccessLog({ requestIdLogLabel: "trace_id", sampleRate: rate, random: () => draws[k++] as number });
      const reply = { statusCode: 200, elapsedTime: 1, log } as unknown as FastifyReply;
      for (let i = 0; i < draws.length; i++) ctl.requestCompleted(null, {} as FastifyRequest, reply);
      const expected = draws.map((d) => (rate > 0 && d < rate ? "info" : "debug"));
      expect(calls).toEqual(expected);
    }),
  );
});

test("a sample rate outside 0-1 is refused, naming the field", () => {
  expect(() => parseConfig({ telemetry: { accessLogSampleRate: 1.5 } }, "test")).toThrow(/telemetry\.accessLogSampleRate/);
  expect(() => new SampledAccessLog({ requestIdLogLabel: "x", sampleRate: -1 })).toThrow("telemetry.accessLogSampleRate must be a number from 0 to 1, got -1");
});
