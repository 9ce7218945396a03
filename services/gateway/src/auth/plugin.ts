/**
 * Authentication and scope checks for every route that declares `config.scope`. A bearer credential shaped like
 * a JWT (three base64url segments) is verified against the issuer's JWKS; anything else is looked up as a static
 * API key. 401 for missing or bad credentials, 403 for a valid caller without the route's scope, both with
 * WWW-Authenticate and OpenAI-style bodies.
 */
import fp from "fastify-plugin";
import type { FastifyInstance } from "fastify";
import type { Principal } from "../contracts";
import { GatewayError } from "../http/errors";
import { inSpan } from "../telemetry/tracing";
import type { ApiKeyStore } from "./api-keys";
import type { JwtVerifier } from "./jwt-verifier";

export interface AuthOptions {
  readonly jwt?: JwtVerifier;
  readonly apiKeys?: ApiKeyStore;
}

const JWT_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*$/;
const challenge = `Bearer realm="llm-gateway"`;

export async function authenticate(header: string | undefined, opts: AuthOptions): Promise<Principal> {
  if (!header) throw new GatewayError(401, "missing_credentials", "Missing bearer token: send Authorization: Bearer <token or API key>", { headers: { "www-authenticate": challenge } });
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw new GatewayError(401, "invalid_authorization_header", "The Authorization header must be: Bearer <token or API key>", { headers: { "www-authenticate": `${challenge}, error="invalid_request"` } });
  const credential = m[1] as string;
  if (JWT_SHAPE.test(credential)) {
    if (!opts.jwt) throw new GatewayError(401, "invalid_token", "JWT authentication is not configured", { headers: { "www-authenticate": `${challenge}, error="invalid_token"` } });
    return opts.jwt.verify(credential);
  }
  const principal = opts.apiKeys?.lookup(credential);
  if (!principal) throw new GatewayError(401, "invalid_api_key", "Incorrect API key provided", { headers: { "www-authenticate": `${challenge}, error="invalid_token"` } });
  return principal;
}

async function authPlugin(app: FastifyInstance, opts: AuthOptions): Promise<void> {
  app.decorateRequest("principal", undefined);
  app.addHook("onRequest", async (request) => {
    const scope = request.routeOptions.config?.scope;
    if (!scope) return;
    await inSpan(app.tracer, "auth", request.telemetry.ctx, async (span) => {
      const principal = await authenticate(request.headers.authorization, opts);
      span.setAttribute("enduser.id", principal.subject);
      span.setAttribute("gateway.tenant", principal.tenant);
      span.setAttribute("gateway.auth_method", principal.method);
      if (!principal.scopes.includes(scope)) {
        throw new GatewayError(403, "insufficient_scope", `this credential lacks the "${scope}" scope`, {
          headers: { "www-authenticate": `${challenge}, error="insufficient_scope", scope="${scope}"` },
        });
      }
      request.principal = principal;
    });
  });
}

export const auth = fp(authPlugin, { name: "gateway-auth", fastify: "5.x", dependencies: ["gateway-telemetry"] });
