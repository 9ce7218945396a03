/**
 * Authentication against a loopback OIDC issuer (real keys, real JWKS over HTTP): every bad token is a 401
 * with an OpenAI-style body and WWW-Authenticate; a good token without the route's scope is a 403; claims map
 * to the principal; unknown keys refetch the JWKS at most once per cooldown, and a rotated key is picked up.
 */
import { UnsecuredJWT } from "jose";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { JwtIssuer, makeKey } from "../support/jwt-issuer";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";

let redis: TestRedis;
let upstream: OpenAIStandin;
let issuer: JwtIssuer;
let gw: TestGateway;

const claims = { sub: "alice", tenant: "tenant-a", tier: "standard", scope: "chat models:read", groups: ["eng"] };

async function call(token: string | undefined, g: TestGateway = gw) {
  const res = await g.request("POST", "/v1/chat/completions", {
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    json: { model: "mistral-7b", messages: [{ role: "user", content: "hi" }] },
  });
  return { status: res.status, body: res.json, www: res.headers.get("www-authenticate") };
}

function cfg(cooldownMs: number) {
  return testConfig(
    { big: [upstream.url], small: [upstream.url] },
    { auth: { jwt: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, algorithms: ["RS256", "ES256"], clockToleranceSec: 5, jwksCooldownMs: cooldownMs } } },
  );
}

beforeAll(async () => {
  redis = await TestRedis.start();
  upstream = await OpenAIStandin.start();
  issuer = await JwtIssuer.start();
  gw = await startGateway(cfg(60_000), redis.url);
});

afterAll(async () => {
  await gw.close();
  await upstream.stop();
  await issuer.close();
  await redis.stop();
});

test("a valid token is accepted and mapped to the principal", async () => {
  const r = await call(await issuer.sign(claims));
  expect(r.status).toBe(200);
  const models = await gw.request("GET", "/v1/models", { headers: { authorization: `Bearer ${await issuer.sign({ ...claims, models: ["mistral-7b"] })}` } });
  expect((models.json.data as { id: string }[]).map((m) => m.id)).toEqual(["mistral-7b"]);
});

const bad: Array<[string, () => Promise<string>]> = [
  ["expired", () => issuer.sign(claims, { expSec: -60 })],
  ["not yet valid (nbf)", () => issuer.sign(claims, { nbfSec: 120 })],
  ["wrong audience", () => issuer.sign(claims, { audience: "someone-else" })],
  ["wrong issuer", () => issuer.sign(claims, { issuer: "https://evil.example" })],
  ["alg none", async () => new UnsecuredJWT(claims).setIssuer(issuer.issuer).setAudience(issuer.audience).setExpirationTime("5m").encode()],
  ["signed with an unknown key", async () => issuer.sign(claims, { key: await makeKey("rogue", "ES256") })],
  ["signed with an unknown key reusing a published kid", async () => issuer.sign(claims, { key: { ...(await makeKey("key-1")) } })],
  [
    "tampered payload",
    async () => {
      const [h, p, s] = (await issuer.sign(claims)).split(".");
      const payload = JSON.parse(Buffer.from(p as string, "base64url").toString()) as Record<string, unknown>;
      payload.tenant = "tenant-b";
      return `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${s}`;
    },
  ],
  ["garbage", async () => "not-a-jwt.and.nothing"],
  ["missing tenant claim", () => issuer.sign({ sub: "bob", scope: "chat" })],
  ["unknown API key", async () => "sk-not-a-real-key"],
];

test.each(bad)("%s → 401 with an OpenAI-style body and WWW-Authenticate", async (_name, make) => {
  const r = await call(await make());
  expect(r.status).toBe(401);
  expect(r.body.error?.type).toBe("authentication_error");
  expect(r.www).toMatch(/^Bearer realm="llm-gateway"/);
  expect(upstream.requests.length).toBe(1); // only the valid call of the first test reached the model
});

test("missing or malformed Authorization → 401", async () => {
  expect((await call(undefined)).body.error?.code).toBe("missing_credentials");
  const res = await gw.request("GET", "/v1/models", { headers: { authorization: "Basic abc" } });
  expect(res.status).toBe(401);
  expect(res.json.error?.code).toBe("invalid_authorization_header");
});

test("a valid caller without the route's scope → 403 insufficient_scope", async () => {
  const r = await call(await issuer.sign({ ...claims, scope: "models:read" }));
  expect(r.status).toBe(403);
  expect(r.body.error?.code).toBe("insufficient_scope");
  expect(r.www).toContain('error="insufficient_scope", scope="chat"');
  const k = await gw.request("POST", "/v1/chat/completions", { headers: bearer(KEYS.noChat), json: { model: "mistral-7b", messages: [{ role: "user", content: "x" }] } });
  expect(k.status).toBe(403);
});

test("unknown kids refetch the JWKS at most once per cooldown", async () => {
  const before = issuer.jwksFetches;
  for (let i = 0; i < 5; i++) expect((await call(await issuer.sign(claims, { key: await makeKey(`rogue-${i}`, "ES256") }))).status).toBe(401);
  expect(issuer.jwksFetches - before).toBeLessThanOrEqual(1);
});

test("a rotated key is fetched on its first use (cooldown elapsed)", async () => {
  const g = await startGateway(cfg(0), redis.url);
  try {
    expect((await call(await issuer.sign(claims), g)).status).toBe(200);
    const next = await makeKey("key-2", "ES256");
    issuer.published.push(next);
    expect((await call(await issuer.sign(claims, { key: next }), g)).status).toBe(200);
  } finally {
    issuer.published.pop();
    await g.close();
  }
});

test("secrets and tokens never appear in error bodies", async () => {
  const token = await issuer.sign(claims, { expSec: -60 });
  const r = await call(token);
  expect(JSON.stringify(r.body)).not.toContain(token.split(".")[1]);
});
