/**
 * Maps verified JWT claims to a Principal, with claim names from config. Lists may be arrays or
 * space-separated strings (OAuth2's `scope` is the latter).
 */
import type { JWTPayload } from "jose";
import type { Principal } from "../contracts";
import type { JwtConfig } from "../config/schema";
import { GatewayError } from "../http/errors";

function list(value: unknown): string[] | undefined {
  if (typeof value === "string") return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string");
  return undefined;
}

function invalid(message: string): GatewayError {
  return new GatewayError(401, "invalid_token", message, { headers: { "www-authenticate": `Bearer realm="llm-gateway", error="invalid_token"` } });
}

export function principalFromClaims(payload: JWTPayload, cfg: JwtConfig, tiers: ReadonlySet<string>): Principal {
  const c = cfg.claims;
  const subject = payload[c.subject];
  if (typeof subject !== "string" || subject === "") throw invalid(`token has no "${c.subject}" claim`);
  const tenantClaim = payload[c.tenant];
  const tenant = typeof tenantClaim === "string" && tenantClaim !== "" ? tenantClaim : cfg.defaultTenant;
  if (tenant === undefined) throw invalid(`token has no "${c.tenant}" claim`);
  const tierClaim = payload[c.tier];
  const tier = typeof tierClaim === "string" && tiers.has(tierClaim) ? tierClaim : cfg.defaultTier;
  const models = list(payload[c.models]);
  return {
    subject,
    tenant,
    tier,
    groups: list(payload[c.groups]) ?? [],
    models: models === undefined || models.includes("*") ? "*" : models,
    scopes: list(payload[c.scopes]) ?? list(payload.scp) ?? [],
    method: "jwt",
  };
}
