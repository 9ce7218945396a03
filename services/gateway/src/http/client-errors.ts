/**
 * Fastify's clientErrorHandler: what the gateway answers when Node's HTTP parser refuses a request before any route
 * sees it (conflicting Content-Length / Transfer-Encoding, a bad chunk size, a request line or headers over the
 * limit, a body or headers that took too long). Fastify's default writes its own body; this one answers in the
 * gateway's shape, {"error":{"message","type","code","param"}}, and closes the connection (the parser cannot
 * resume mid-stream). The error is logged by its code only: Node attaches the raw bytes read (`rawPacket`), which
 * can hold an Authorization header.
 *
 * The refusals Node and Fastify answer themselves, outside that handler, get the same shape here too: a URL whose
 * percent-encoding is broken or a path segment over the router's limit (Fastify's frameworkErrors, whose default
 * body echoes the URL, query string and credentials included), an HTTP/1.1 request without Host, an Expect header
 * other than 100-continue (Node's empty 400 and 417), and CONNECT (Node drops the socket unanswered).
 */
import type { Socket } from "node:net";
import { STATUS_CODES, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import type { FastifyBaseLogger, FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { GatewayError, errorBody } from "./errors";

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
  // Refused by Fastify's router (frameworkErrors) or by Node outside its parser.
  FST_ERR_BAD_URL: { status: 400, code: "invalid_url", message: "the request URL is not valid (a percent-encoded sequence is malformed)" },
  FST_ERR_MAX_PARAM_LENGTH: { status: 414, code: "path_segment_too_long", message: "a segment of the request path is longer than the gateway accepts" },
  FST_ERR_ASYNC_CONSTRAINT: { status: 500, code: "internal_error", message: "the gateway failed to route the request" },
  EXPECTATION_FAILED: { status: 417, code: "expectation_failed", message: "the Expect header may only be 100-continue" },
  CONNECT_NOT_ALLOWED: { status: 405, code: "method_not_allowed", message: "CONNECT is not supported: the gateway is not a proxy" },
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
  if (socket.writable && !inFlight?.headersSent && !answeredEarly.has(socket)) writeRefusal(socket, status, body);
  socket.destroy();
}

/** Writes a whole response (the parser's state is unknown: no keep-alive) on a bare socket. */
function writeRefusal(socket: Duplex, status: number, body: string): void {
  socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ""}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/** Fastify's frameworkErrors option: the router's refusals (bad percent-encoding, over-long segment) in our shape. */
export function frameworkErrors(err: Error & { code?: string }, request: FastifyRequest, reply: FastifyReply): void {
  const { status, body } = clientErrorResponse(err.code);
  request.log.debug({ code: err.code, status }, "request refused by the router");
  void reply.code(status).type("application/json").send(body);
}

/** RFC 9112 §3.2: an HTTP/1.1 request without Host is a 400; Node's own check answers it with an empty body. */
export function requireHost(app: FastifyInstance): void {
  app.addHook("onRequest", async (request) => {
    const raw = request.raw;
    if (raw.headers.host === undefined && raw.httpVersionMajor === 1 && raw.httpVersionMinor >= 1) {
      throw new GatewayError(400, "missing_host", "an HTTP/1.1 request must carry a Host header");
    }
  });
}

/** Answers what Node refuses on the server outside the parser (Expect other than 100-continue, CONNECT) in our shape. */
export function answerServerRefusals(server: Server, log: FastifyBaseLogger): void {
  server.on("checkExpectation", (_req: IncomingMessage, res: ServerResponse) => {
    const { status, body } = clientErrorResponse("EXPECTATION_FAILED");
    log.debug({ code: "EXPECTATION_FAILED", status }, "client error");
    res.shouldKeepAlive = false;
    res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(body) }).end(body);
  });
  server.on("connect", (_req: IncomingMessage, socket: Duplex) => {
    const { status, body } = clientErrorResponse("CONNECT_NOT_ALLOWED");
    log.debug({ code: "CONNECT_NOT_ALLOWED", status }, "client error");
    socket.on("error", () => undefined);
    writeRefusal(socket, status, body);
    socket.end();
  });
}
