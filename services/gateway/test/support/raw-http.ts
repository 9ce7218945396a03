/**
 * HTTP over a bare TCP socket, for what a well-behaved client cannot send: conflicting framing headers, bad chunk
 * sizes, oversized heads, bodies trickled byte by byte. Resolves with what the server wrote before it closed.
 */
import { connect, type Socket } from "node:net";

export interface RawResponse {
  /** 0 when the server closed without answering. */
  readonly status: number;
  readonly head: string;
  readonly body: string;
  /** The body as JSON, when it is. */
  readonly json: { error?: { message: string; type: string; code: string; param: string | null } } | undefined;
}

export function parseRaw(text: string): RawResponse {
  const at = text.indexOf("\r\n\r\n");
  const head = at === -1 ? text : text.slice(0, at);
  const body = at === -1 ? "" : text.slice(at + 4);
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0);
  let json: RawResponse["json"];
  try {
    json = JSON.parse(body) as RawResponse["json"];
  } catch {
    json = undefined;
  }
  return { status, head, body, json };
}

/** Opens a socket to `url` (http://host:port). */
export function openSocket(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const s = connect({ host: u.hostname, port: Number(u.port) }, () => resolve(s));
    s.once("error", reject);
  });
}

/** Reads everything the server sends until it closes the connection (or `timeoutMs` passes: then rejects). */
export function readUntilClosed(socket: Socket, timeoutMs = 10_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on("data", (c: Buffer) => chunks.push(c));
    socket.on("error", () => undefined);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("utf8"));
    });
  });
}

/** Sends `bytes` and reads the answer until the server closes. */
export async function rawRequest(url: string, bytes: string | Buffer, timeoutMs?: number): Promise<RawResponse> {
  const socket = await openSocket(url);
  const done = readUntilClosed(socket, timeoutMs);
  socket.write(bytes);
  return parseRaw(await done);
}

/**
 * Sends `bytes` and resolves with the first response once it is complete (its Content-Length read), or with what
 * was written when the server closes first: for refusals that keep the connection open.
 */
export async function rawExchange(url: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawResponse & { closed: boolean }> {
  const socket = await openSocket(url);
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete response within ${timeoutMs} ms: ${JSON.stringify(text.slice(0, 200))}`));
    }, timeoutMs);
    const finish = (closed: boolean): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ ...parseRaw(text), closed });
    };
    socket.on("error", () => undefined);
    socket.on("data", (c: Buffer) => {
      text += c.toString("utf8");
      // Interim (1xx) responses come before the final one and have no body.
      const final = text.replace(/^(?:HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, "");
      const at = final.indexOf("\r\n\r\n");
      const length = /\r\ncontent-length: *(\d+)/i.exec(final.slice(0, at))?.[1];
      if (at !== -1 && length !== undefined && Buffer.byteLength(final.slice(at + 4)) >= Number(length)) finish(false);
    });
    socket.once("close", () => finish(true));
    socket.write(bytes);
  });
}
