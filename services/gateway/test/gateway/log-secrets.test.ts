/**
 * The real process's log (src/server.ts at level info, its own pino options) holds no credential and no prompt,
 * whichever way a client sends them: Authorization headers, API keys and JWTs in the query string (?api_key=,
 * ?access_token=, ?key=), on known and unknown routes, refused or served. Every line of the run is searched.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { stringify } from "yaml";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { JwtIssuer } from "../support/jwt-issuer";
import { spawnGateway, type GatewayProcess } from "../support/gateway-process";
import { sha256Hex } from "../../src/auth/api-keys";
import { rawExchange } from "../support/raw-http";

const KEY = "sk-test-logsecret-0000000000000001";
const WRONG_KEY = "sk-test-logsecret-wrong-00000000009";
const PROMPT = "zebra-quartz-7731 is my secret prompt";
let redis: TestRedis;
let upstream: OpenAIStandin;
let issuer: JwtIssuer;
let dir: string;
let gw: GatewayProcess;

beforeAll(async () => {
  [redis, upstream, issuer] = await Promise.all([TestRedis.start(), OpenAIStandin.start(), JwtIssuer.start()]);
  dir = mkdtempSync(join(tmpdir(), "gw-logs-"));
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: [{ id: "svc", sha256: sha256Hex(KEY), tenant: "t", scopes: ["chat", "models:read"] }] }));
  const config = join(dir, "config.yaml");
  writeFileSync(
    config,
    stringify({
      server: { host: "127.0.0.1", port: 0 },
      redis: { url: redis.url, keyPrefix: "logs:" },
      auth: { apiKeys: { hashesFile: join(dir, "keys.yaml") }, jwt: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl } },
      telemetry: { logLevel: "debug" },
      guardrails: { enabled: false },
      routing: { auto: { highModel: "mistral-7b", lowModel: "mistral-7b" } },
      models: { "mistral-7b": { upstreamModel: "mistralai/Mistral-7B-Instruct-v0.3", upstreams: [upstream.url], tokenizer: "mistral" } },
    }),
  );
  gw = await spawnGateway(["--import", "tsx", resolve(__dirname, "../../src/server.ts")], { env: { ...process.env, GATEWAY_CONFIG: config, OTEL_SDK_DISABLED: "true" } });
});

afterAll(async () => {
  gw.proc.kill("SIGINT");
  await gw.exit;
  await Promise.all([upstream.stop(), issuer.close(), redis.stop()]);
  rmSync(dir, { recursive: true, force: true });
});

test("no key, token or prompt in any log line, whether sent in headers or in the query string", async () => {
  const jwt = await issuer.sign({ sub: "alice", tenant: "t", scope: "chat models:read" });
  const body = JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: PROMPT }] });
  const json = { "content-type": "application/json" };
  const calls: Array<[string, RequestInit]> = [
    [`/v1/models?api_key=${KEY}`, { headers: { authorization: `Bearer ${KEY}` } }],
    [`/v1/models?api_key=${WRONG_KEY}`, {}],
    [`/v1/chat/completions?access_token=${jwt}`, { method: "POST", headers: { ...json, authorization: `Bearer ${jwt}` }, body }],
    [`/v1/chat/completions?key=${KEY}&q=${encodeURIComponent(PROMPT)}`, { method: "POST", headers: { ...json, authorization: `Bearer ${WRONG_KEY}` }, body }],
    [`/v1/no-such-route?token=${jwt}`, {}],
    [`/healthz?key=${KEY}`, {}],
    // Refused by the router (broken percent-encoding): Fastify's default answer echoed the URL, query and all.
    [`/v1/models/%zz?api_key=${KEY}`, { headers: { authorization: `Bearer ${KEY}` } }],
  ];
  const statuses: number[] = [];
  for (const [path, init] of calls) {
    const res = await fetch(gw.url + path, init);
    // Nor does any answer echo a credential (the stand-in echoes the prompt).
    const text = await res.text();
    for (const s of [KEY, WRONG_KEY, jwt]) expect(text).not.toContain(s);
    statuses.push(res.status);
  }
  expect(statuses).toEqual([200, 401, 200, 401, 404, 200, 400]);
  // Request targets a fetch client would not send, over a raw socket: userinfo in absolute-form and network-path
  // targets, a fragment, matrix parameters; on a served route and an unknown one (whose 404 names the path).
  const targets = [`http://me:${KEY}@gw/v1/models`, `http://me:${KEY}@gw/v1/nope`, `//me:${KEY}@gw/v1/models`, `/v1/models#${KEY}`, `/v1/nope;key=${KEY}`];
  for (const target of targets) {
    const res = await rawExchange(gw.url, `GET ${target} HTTP/1.1\r\nHost: gw\r\nAuthorization: Bearer ${KEY}\r\n\r\n`);
    expect([target, res.status > 0, res.body.includes(KEY)]).toEqual([target, true, false]);
  }
  // Request lines went out (and show where each request went) ...
  await new Promise((r) => setTimeout(r, 200));
  const log = gw.log.join("\n");
  expect(log).toContain('"url":"/v1/models?[redacted]"');
  expect(log).toContain('"url":"/v1/chat/completions?[redacted]"');
  // ... and none of them, nor any other line, holds a credential or the prompt.
  const secrets = [KEY, WRONG_KEY, jwt, ...jwt.split("."), PROMPT, "zebra-quartz", encodeURIComponent(PROMPT)];
  for (const line of gw.log) for (const s of secrets) expect(line).not.toContain(s);
});
