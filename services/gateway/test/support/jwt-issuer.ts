/**
 * A loopback OIDC issuer for auth tests: real key pairs (jose), a JWKS endpoint that counts its fetches, and
 * token signing with any claims, key or header, including keys the JWKS does not publish.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SignJWT, exportJWK, generateKeyPair, type JWK, type JWTPayload, type CryptoKey } from "jose";

export interface IssuerKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  readonly jwk: JWK;
}

export async function makeKey(kid: string, alg: "RS256" | "ES256" = "RS256"): Promise<IssuerKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
  return { kid, privateKey, jwk };
}

export class JwtIssuer {
  jwksFetches = 0;
  readonly published: IssuerKey[] = [];
  private constructor(
    private readonly server: Server,
    readonly issuer: string,
    readonly audience: string,
  ) {}

  static async start(audience = "llm-gateway"): Promise<JwtIssuer> {
    let self: JwtIssuer | undefined;
    const server = createServer((req, res) => {
      if (req.url === "/jwks" && self) {
        self.jwksFetches += 1;
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ keys: self.published.map((k) => k.jwk) }));
        return;
      }
      res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const port = (server.address() as AddressInfo).port;
    self = new JwtIssuer(server, `http://127.0.0.1:${port}`, audience);
    self.published.push(await makeKey("key-1"));
    return self;
  }

  get jwksUrl(): string {
    return `${this.issuer}/jwks`;
  }

  /** Signs a token; defaults: the first published key, this issuer and audience, valid for 5 minutes. */
  async sign(claims: JWTPayload, opts: { key?: IssuerKey; issuer?: string; audience?: string; expSec?: number; nbfSec?: number; alg?: string } = {}): Promise<string> {
    const key = opts.key ?? (this.published[0] as IssuerKey);
    const now = Math.floor(Date.now() / 1000);
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: opts.alg ?? (key.jwk.alg as string), kid: key.kid, typ: "JWT" })
      .setIssuer(opts.issuer ?? this.issuer)
      .setAudience(opts.audience ?? this.audience)
      .setIssuedAt(now)
      .setExpirationTime(now + (opts.expSec ?? 300));
    if (opts.nbfSec !== undefined) jwt.setNotBefore(now + opts.nbfSec);
    return jwt.sign(key.privateKey);
  }

  async close(): Promise<void> {
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
