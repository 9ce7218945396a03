/**
 * Fastify's clientErrorHandler: what the gateway answers when Node's HTTP parser refuses a request before any route
 * sees it (conflicting Content-Length / Transfer-Encoding, a bad chunk size, a request line or headers over the
 * limit, a body or headers that took too long). Fastify's default writes its own body; this one answers in the
 * gateway's shape, {"error":{"message","type","code","param"}}, and closes the connection (the parser cannot
 * resume mid-stream). The error is logged by its code only: Node attaches the raw bytes read (`rawPacket`), which
 * can hold an Authorization header.
 */
import type { Socket } from "node:net";
import { STATUS_CODES } from "node:http";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { errorBody } from "./errors";

interface Refusal {
  readonly status: number;
  readonly code: string;
  readonly message: string;
}

/** Node (llhttp) error codes and what the caller is told. */
const refusals: Record<string, Refusal> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: "request_timeout", message: "the request was not received in time (server.requestTimeoutMs / server.headersTimeoutMs)" },
  HPE_HEADER_OVERFLOW: { status: 431, code: "headers_too_large", message: "the request line and headers exceed the gateway's limit (server.maxHeaderBytes)" },
  HPE_UNEXPECTED_CONTENT_LENGTH: { status: 400, code: "invalid_content_length", message: "Content-Length is repeated, or sent together with Transfer-Encoding" },
  HPE_INVALID_CONTENT_LENGTH: { status: 400, code: "invalid_content_length", message: "the Content-Length header is not a valid length" },
  HPE_INVALID_TRANSFER_ENCODING: { status: 400, code: "invalid_transfer_encoding", message: "the Transfer-Encoding header is invalid, or sent together with Content-Length" },
  HPE_INVALID_CHUNK_SIZE: { status: 400, code: "invalid_chunk_size", message: "a chunk of the chunked body has an invalid size" },
  HPE_INVALID_METHOD: { status: 400, code: "invalid_method", message: "the request method is not valid HTTP" },
  HPE_INVALID_URL: { status: 400, code: "invalid_url", message: "the request URL is not valid" },
  HPE_INVALID_HEADER_TOKEN: { status: 400, code: "invalid_header", message: "a request header is not valid HTTP" },
};
const fallback: Refusal = { status: 400, code: "bad_request", message: "the request is not valid HTTP" };

/** The status and body the gateway answers a client error with. */
export function clientErrorResponse(code: string | undefined): { status: number; body: string } {
  const r = (code && refusals[code]) || fallback;
  return { status: r.status, body: JSON.stringify(errorBody(r.status, r.code, r.message)) };
}

/** Connections whose current request was answered before its body was read to the end. */
const answeredEarly = new WeakSet<Socket>();

/** Registers the hook that tells the client error handler which connections already carry an answer. */
export function trackEarlyAnswers(app: FastifyInstance): void {
  app.addHook("onResponse", (request, _reply, done) => {
    const raw = request.raw;
    if (!raw.complete) {
      answeredEarly.add(raw.socket);
      // Should the body end after all, the connection may carry further requests, which get their own answers.
      raw.once("end", () => answeredEarly.delete(raw.socket));
    }
    done();
  });
}

/** Fastify's clientErrorHandler option (Fastify calls it with the instance as `this`). */
export function clientErrorHandler(this: { log: FastifyBaseLogger }, err: Error & { code?: string }, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === "ECONNRESET" || socket.destroyed) return;
  const { status, body } = clientErrorResponse(err.code);
  this.log.debug({ code: err.code, status }, "client error");
  // Answer only when the request at fault has no answer yet: a refused request whose 401 went out while its body
  // still trickles in is just closed (Node would write a 408 after the 401).
  const inFlight = (socket as Socket & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
  if (socket.writable && !inFlight?.headersSent && !answeredEarly.has(socket)) {
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}
