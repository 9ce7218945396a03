/**
 * pino options for the gateway's JSON logs. Request bodies (prompts) are never logged: Fastify's default request
 * serializer logs only method, url and addresses, and we add nothing that carries message text. Credentials are
 * redacted wherever they could appear.
 */
import type { LoggerOptions } from "pino";
import { requestSerializer } from "../http/log-redaction";

export const redactPaths = [
  "req.headers.authorization",
  "req.headers.cookie",
  "req.headers[\"x-api-key\"]",
  "headers.authorization",
  "authorization",
  "*.authorization",
  "*.password",
  "*.apiKey",
  "*.token",
  "messages",
  "*.messages",
  "prompt",
  "*.prompt",
];

export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    base: { service: "llm-gateway" },
    timestamp: () => `,"time":"${new Date().toISOString()}"`,
    redact: { paths: redactPaths, censor: "[redacted]" },
    // Query strings can carry credentials: request lines show the path only (src/http/log-redaction.ts).
    serializers: { req: requestSerializer },
    formatters: { level: (label) => ({ level: label }) },
  };
}
