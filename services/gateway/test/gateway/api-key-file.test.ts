/**
 * The API key hashes file at start-up: required by default (a missing file stops the gateway with its path), or
 * optional (auth.apiKeys.optional, as the chart mounts the keys from an optional secret): absent means API keys are
 * off and says so in the log; present but invalid is still a start-up error.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pino from "pino";
import { Writable } from "node:stream";
import { stringify } from "yaml";
import { buildApp } from "../../src/app";
import { sha256Hex } from "../../src/auth/api-keys";
import { createRedis } from "../../src/redis-client";
import { testConfig } from "../support/gateway-fixture";

const KEY = "sk-test-key-file-0000000000000001";
let dir: string;
// Nothing listens there: these tests need no Redis (the limits fail open), only a client to build the app with.
const redis = createRedis({ ...testConfig({ big: ["http://127.0.0.1:9"], small: ["http://127.0.0.1:9"] }).redis, url: "redis://127.0.0.1:1" });

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "gw-keys-"));
  writeFileSync(join(dir, "keys.yaml"), stringify({ keys: [{ id: "svc", sha256: sha256Hex(KEY), tenant: "t", scopes: ["models:read"] }] }));
  writeFileSync(join(dir, "bad.yaml"), stringify({ keys: [{ id: "svc", sha256: "not-a-hash", tenant: "t" }] }));
});
afterAll(() => {
  redis.disconnect();
  rmSync(dir, { recursive: true, force: true });
});

function appWith(apiKeys: { hashesFile: string; optional?: boolean }): { build: () => ReturnType<typeof buildApp>; lines: string[] } {
  const lines: string[] = [];
  const logger = pino({ level: "info" }, new Writable({ write: (chunk: Buffer, _e, cb) => (lines.push(chunk.toString()), cb()) }));
  const config = testConfig({ big: ["http://127.0.0.1:9"], small: ["http://127.0.0.1:9"] }, { auth: { apiKeys } });
  return { build: () => buildApp({ config, redis, logger }), lines };
}

const models = (app: ReturnType<typeof buildApp>) => app.inject({ method: "GET", url: "/v1/models", headers: { authorization: `Bearer ${KEY}` } });

test("required (the default): a missing file stops start-up with its path", () => {
  const missing = join(dir, "absent.yaml");
  expect(() => appWith({ hashesFile: missing }).build()).toThrow(`cannot read API key hashes file ${missing}: ENOENT`);
});

test("optional and absent: the gateway starts, says API keys are off, and refuses a key with 401", async () => {
  const missing = join(dir, "absent.yaml");
  const { build, lines } = appWith({ hashesFile: missing, optional: true });
  const app = build();
  await app.ready();
  try {
    expect(lines.join("")).toContain("API key hashes file not present (auth.apiKeys.optional): API keys are off");
    expect(lines.join("")).toContain(missing);
    expect((await models(app)).statusCode).toBe(401);
  } finally {
    await app.close();
  }
});

test("optional and present: the keys are used", async () => {
  const { build } = appWith({ hashesFile: join(dir, "keys.yaml"), optional: true });
  const app = build();
  await app.ready();
  try {
    expect((await models(app)).statusCode).toBe(200);
  } finally {
    await app.close();
  }
});

test("optional but invalid: still a start-up error naming the file and the field", () => {
  const bad = join(dir, "bad.yaml");
  expect(() => appWith({ hashesFile: bad, optional: true }).build()).toThrow(new RegExp(`^API key hashes file ${bad.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}: keys\\.0\\.sha256: `));
});
