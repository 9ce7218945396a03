/**
 * The verified-token cache of JwtVerifier: a token's principal is reused without a new signature check, but
 * never past the token's exp, never longer than verifiedTokenCacheMs (so a key removed from the JWKS stops
 * working within that bound), and failures are never cached. A fake clock drives both the cache and jose.
 */
import { JwtVerifier } from "../../src/auth/jwt-verifier";
import { GatewayError } from "../../src/http/errors";
import { parseConfig } from "../../src/config/load";
import type { JwtConfig } from "../../src/config/schema";
import { JwtIssuer, makeKey } from "../support/jwt-issuer";

let issuer: JwtIssuer;
let clock = Date.now();
const claims = { sub: "alice", tenant: "tenant-a", scope: "chat" };

function verifier(overrides: Partial<JwtConfig> = {}): JwtVerifier {
  const cfg = parseConfig({
    models: { m: { upstreamModel: "m", upstreams: ["http://127.0.0.1:1"], tokenizer: "mistral" } },
    routing: { auto: { enabled: false } },
    auth: { jwt: { issuer: issuer.issuer, audience: issuer.audience, jwksUrl: issuer.jwksUrl, clockToleranceSec: 0, jwksCooldownMs: 0, jwksCacheMaxAgeMs: 1, ...overrides } },
  }).auth.jwt as JwtConfig;
  return new JwtVerifier(cfg, ["standard"], { now: () => clock });
}

async function rejects(v: JwtVerifier, token: string): Promise<string> {
  try {
    await v.verify(token);
  } catch (e) {
    expect(e).toBeInstanceOf(GatewayError);
    return (e as GatewayError).code;
  }
  throw new Error("token was accepted");
}

beforeAll(async () => {
  issuer = await JwtIssuer.start();
});
afterAll(async () => {
  await issuer.close();
});
beforeEach(() => {
  clock = Date.now();
});

test("the defaults: 60 s, 10,000 tokens", () => {
  const cfg = parseConfig({
    models: { m: { upstreamModel: "m", upstreams: ["http://127.0.0.1:1"], tokenizer: "mistral" } },
    routing: { auto: { enabled: false } },
    auth: { jwt: { issuer: "https://idp", audience: "gw", jwksUrl: "https://idp/jwks" } },
  }).auth.jwt as JwtConfig;
  expect(cfg.verifiedTokenCacheMs).toBe(60_000);
  expect(cfg.verifiedTokenCacheSize).toBe(10_000);
});

test("a token verified once is answered from the cache with the same principal", async () => {
  const v = verifier();
  const token = await issuer.sign(claims);
  const first = await v.verify(token);
  const second = await v.verify(token);
  expect(second).toEqual(first);
  expect(first.subject).toBe("alice");
  expect(v.stats).toEqual({ hits: 1, verifications: 1 });
});

test("never past the token's exp: an expired token is verified again and rejected", async () => {
  const v = verifier();
  const token = await issuer.sign(claims, { expSec: 20 });
  await v.verify(token);
  clock += 10_000;
  await v.verify(token);
  expect(v.stats.hits).toBe(1);
  clock += 11_000; // past exp (tolerance 0)
  expect(await rejects(v, token)).toBe("invalid_token");
  expect(v.stats.verifications).toBe(2);
});

test("key rotation: a token signed by a key removed from the JWKS stops working within verifiedTokenCacheMs", async () => {
  const v = verifier({ verifiedTokenCacheMs: 30_000 });
  const retired = await makeKey("retired", "ES256");
  issuer.published.push(retired);
  try {
    const token = await issuer.sign(claims, { key: retired, expSec: 3_600 });
    await v.verify(token);
    issuer.published.pop(); // the IdP revokes the key
    clock += 29_000;
    await expect(v.verify(token)).resolves.toMatchObject({ subject: "alice" }); // still inside the bound
    clock += 2_000; // past verifiedTokenCacheMs: verified again against the refreshed JWKS
    expect(await rejects(v, token)).toBe("invalid_token");
  } finally {
    if (issuer.published.at(-1) === retired) issuer.published.pop();
  }
});

test("failures are never cached; tampered tokens do not share an entry with the original", async () => {
  const v = verifier();
  const token = await issuer.sign(claims);
  const [h, p, s] = token.split(".");
  const payload = JSON.parse(Buffer.from(p as string, "base64url").toString()) as Record<string, unknown>;
  const tampered = `${h}.${Buffer.from(JSON.stringify({ ...payload, tenant: "tenant-b" })).toString("base64url")}.${s}`;
  await v.verify(token);
  expect(await rejects(v, tampered)).toBe("invalid_token");
  expect(await rejects(v, tampered)).toBe("invalid_token");
  expect(v.stats).toEqual({ hits: 0, verifications: 3 });
});

test("bounded: the least recently used token is dropped beyond verifiedTokenCacheSize; 0 ms disables the cache", async () => {
  const v = verifier({ verifiedTokenCacheSize: 2 });
  const [a, b, c] = await Promise.all([issuer.sign({ ...claims, sub: "a" }), issuer.sign({ ...claims, sub: "b" }), issuer.sign({ ...claims, sub: "c" })]);
  await v.verify(a as string);
  await v.verify(b as string);
  await v.verify(a as string); // a is now the most recent
  await v.verify(c as string); // evicts b
  await v.verify(a as string);
  await v.verify(b as string);
  expect(v.stats).toEqual({ hits: 2, verifications: 4 });

  const off = verifier({ verifiedTokenCacheMs: 0 });
  await off.verify(a as string);
  await off.verify(a as string);
  expect(off.stats).toEqual({ hits: 0, verifications: 2 });
});
