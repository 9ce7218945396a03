/**
 * Verifies bearer JWTs with jose against the issuer's JWKS. createRemoteJWKSet caches the key set, refetches it
 * when a token names an unknown `kid` (at most once per cooldown) and when the cache ages out. The algorithm
 * allow-list holds only asymmetric algorithms (the schema forbids `none` and HS*), issuer and audience are
 * required, and exp/nbf are checked with a small clock tolerance.
 */
import { createRemoteJWKSet, jwtVerify, errors as joseErrors } from "jose";
import type { Principal } from "../contracts";
import type { JwtConfig } from "../config/schema";
import { GatewayError } from "../http/errors";
import { principalFromClaims } from "./claims";

/** jose's error codes, mapped to messages safe to show (they name the check, never the token). */
const reasons: Record<string, string> = {
  ERR_JWT_EXPIRED: "token expired",
  ERR_JWT_CLAIM_VALIDATION_FAILED: "token claim check failed",
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: "token signature invalid",
  ERR_JWKS_NO_MATCHING_KEY: "token signed with an unknown key",
  ERR_JOSE_ALG_NOT_ALLOWED: "token algorithm not allowed",
  ERR_JWS_INVALID: "malformed token",
  ERR_JWT_INVALID: "malformed token",
  ERR_JOSE_NOT_SUPPORTED: "token algorithm not supported",
  ERR_JWKS_TIMEOUT: "identity provider keys unavailable",
};

export class JwtVerifier {
  private readonly jwks: ReturnType<typeof createRemoteJWKSet>;
  private readonly tiers: ReadonlySet<string>;

  constructor(
    private readonly cfg: JwtConfig,
    tiers: Iterable<string>,
  ) {
    this.jwks = createRemoteJWKSet(new URL(cfg.jwksUrl), {
      cooldownDuration: cfg.jwksCooldownMs,
      cacheMaxAge: cfg.jwksCacheMaxAgeMs,
      timeoutDuration: cfg.jwksTimeoutMs,
    });
    this.tiers = new Set(tiers);
  }

  async verify(token: string): Promise<Principal> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        issuer: this.cfg.issuer,
        audience: this.cfg.audience,
        algorithms: [...this.cfg.algorithms],
        clockTolerance: this.cfg.clockToleranceSec,
        requiredClaims: ["exp"],
      });
      return principalFromClaims(payload, this.cfg, this.tiers);
    } catch (e) {
      if (e instanceof GatewayError) throw e;
      const code = e instanceof joseErrors.JOSEError ? e.code : "";
      let reason = reasons[code] ?? "invalid token";
      if (e instanceof joseErrors.JWTClaimValidationFailed) reason = `token "${e.claim}" claim check failed`;
      if (code === "ERR_JWKS_TIMEOUT" || (e instanceof joseErrors.JOSEError && code === "ERR_JOSE_GENERIC")) {
        throw new GatewayError(503, "auth_unavailable", "identity provider keys unavailable", { cause: e });
      }
      throw new GatewayError(401, "invalid_token", `invalid bearer token: ${reason}`, {
        headers: { "www-authenticate": `Bearer realm="llm-gateway", error="invalid_token", error_description="${reason}"` },
      });
    }
  }
}
