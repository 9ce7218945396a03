/**
 * The HTTP plumbing every upstream stand-in shares: listen on a loopback port, stop (dropping open connections,
 * as a crashed service would) and start again on the same port, and read request bodies.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { OpenApiValidator } from "./openapi-validator";

/** Reads a whole request body as UTF-8. */
export async function readBody(req: IncomingMessage): Promise<string> {
  const parts: Buffer[] = [];
  for await (const c of req) parts.push(c as Buffer);
  return Buffer.concat(parts).toString("utf8");
}

/** One request a stand-in received. */
export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
}

/**
 * Reads a request's JSON body, records it and validates it against the service's OpenAPI document. Every
 * problem (a body that is not JSON, a spec violation) is added to `violations`, which tests assert empty, and
 * returned as `error` so the stand-in can answer 422 as the real service would.
 */
export async function receiveJson(
  req: IncomingMessage,
  validator: OpenApiValidator,
  requests: RecordedRequest[],
  violations: string[],
): Promise<{ method: string; path: string; body: unknown; error?: string }> {
  const method = req.method ?? "GET";
  const path = (req.url ?? "/").split("?")[0] ?? "/";
  const raw = await readBody(req);
  let body: unknown;
  try {
    body = raw ? JSON.parse(raw) : undefined;
  } catch {
    violations.push(`${method} ${path}: body is not JSON`);
    return { method, path, body: undefined, error: "invalid JSON" };
  }
  requests.push({ method, path, body });
  try {
    if (body !== undefined) validator.validateRequest(method, path, body);
    else validator.operation(method, path);
  } catch (e) {
    violations.push((e as Error).message);
    return { method, path, body, error: (e as Error).message };
  }
  return { method, path, body };
}

/** A loopback HTTP server whose subclass answers requests in `handle`. */
export abstract class LoopbackServer {
  private server: Server | undefined;
  private port = 0;

  /** Base URL, e.g. http://127.0.0.1:40123. */
  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** (Re)starts listening, on the same port after a stop(). */
  async start(): Promise<void> {
    if (this.server) return;
    // A request that fails before it is answered (a client that disconnects mid-body: the body stream rejects
    // with "aborted") ends that request only, never the process.
    const server = createServer((req, res) => void this.handle(req, res).catch(() => res.destroy()));
    await new Promise<void>((resolve) => server.listen(this.port, "127.0.0.1", resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and drops open connections (the service is "down"). */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected abstract handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
}
