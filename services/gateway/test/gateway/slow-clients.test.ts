/**
 * Slow clients are cut, long answers are not (server.requestTimeoutMs, headersTimeoutMs, maxConnections), over
 * real sockets: a body or headers trickled in byte by byte end with a 408 in the gateway's error shape (or, when a
 * 401 already went out, a closed connection) well before the client is done, with or without credentials; a stream
 * lasting longer than the request timeout arrives whole; connections over the limit are closed unanswered.
 */
import type { Socket } from "node:net";
import { TestRedis } from "../support/redis-server";
import { OpenAIStandin } from "../support/openai-standin";
import { KEYS, bearer, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";
import { openSocket, parseRaw, readUntilClosed } from "../support/raw-http";

let redis: TestRedis;
let upstream: OpenAIStandin;
let gw: TestGateway;

const REQUEST_TIMEOUT_MS = 1_500;

beforeAll(async () => {
  redis = await TestRedis.start();
  // 14 words, 250 ms apart: a stream of about 3.5 s, more than twice the request timeout.
  upstream = await OpenAIStandin.start({ chunkDelayMs: 250, words: 14 });
  gw = await startGateway(testConfig({ big: [upstream.url], small: [upstream.url] }, { server: { requestTimeoutMs: REQUEST_TIMEOUT_MS, headersTimeoutMs: 1_000 } }), redis.url);
});
afterAll(async () => {
  await gw.close();
  await upstream.stop();
  await redis.stop();
});

/** Writes `text` one byte every `everyMs` until done or the socket closes; resolves with the bytes written. */
function trickle(socket: Socket, text: string, everyMs = 100): Promise<number> {
  return new Promise((resolve) => {
    let i = 0;
    const timer = setInterval(() => {
      if (socket.destroyed || i >= text.length) {
        clearInterval(timer);
        return resolve(i);
      }
      socket.write(text[i++] as string);
    }, everyMs);
    socket.once("close", () => {
      clearInterval(timer);
      resolve(i);
    });
  });
}

const body = JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "x".repeat(300) }] });
const head = (auth: boolean) =>
  `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n${auth ? `Authorization: Bearer ${KEYS.tenantA}\r\n` : ""}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;

/** Sends the head at once, then trickles `text`; resolves with the bytes sent and all the server wrote before closing. */
async function trickled(head: string, text: string): Promise<{ sent: number; text: string }> {
  const socket = await openSocket(gw.url);
  const answer = readUntilClosed(socket, 15_000);
  socket.write(head);
  const [sent, written] = await Promise.all([trickle(socket, text), answer]);
  return { sent, text: written };
}

test("a body trickled in is cut with a 408 in the gateway's shape, long before it is complete", async () => {
  const { sent, text } = await trickled(head(true), body);
  // At 10 bytes/s the body needs ~35 s; the gateway closed the connection after a small part of it.
  expect(sent).toBeLessThan(body.length / 2);
  const res = parseRaw(text);
  expect(res.status).toBe(408);
  expect(res.json?.error).toMatchObject({ type: "invalid_request_error", code: "request_timeout", param: null });
});

test("without credentials too: the early 401 goes out, then the trickling connection is closed", async () => {
  const { sent, text } = await trickled(head(false), body);
  expect(sent).toBeLessThan(body.length / 2);
  const res = parseRaw(text);
  expect(res.status).toBe(401);
  // One answer only: no 408 written after the 401 on the same connection.
  expect(text.match(/HTTP\/1\.1 \d{3}/g)).toHaveLength(1);
});

test("headers trickled in (slowloris) are cut with a 408", async () => {
  const headers = `GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Slow: ${"s".repeat(200)}\r\n\r\n`;
  const { sent, text } = await trickled("", headers);
  expect(sent).toBeLessThan(headers.length / 2);
  expect(parseRaw(text).status).toBe(408);
});

test("a kept-alive connection is timed again for its next request; one that never sends a byte is closed too", async () => {
  // The first request is served and the connection kept; the second one's headers trickle in and are cut.
  const { sent, text } = await trickled("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n", `GET /v1/models HTTP/1.1\r\nHost: gw\r\nX-Slow: ${"s".repeat(200)}\r\n\r\n`);
  expect(sent).toBeLessThan(100);
  expect(text.match(/HTTP\/1\.1 \d{3}/g)).toEqual(["HTTP/1.1 200", "HTTP/1.1 408"]);
  // A connection opened and left silent is not held until the keep-alive timeout (72 s).
  const silent = await openSocket(gw.url);
  expect(parseRaw(await readUntilClosed(silent, 15_000)).status).toBe(408);
});

test("a stream lasting longer than the request timeout is not cut", async () => {
  const started = Date.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: "POST",
    headers: { ...bearer(KEYS.tenantA), "content-type": "application/json" },
    body: JSON.stringify({ model: "mistral-7b", stream: true, messages: [{ role: "user", content: "a long answer" }] }),
  });
  expect(res.status).toBe(200);
  const text = await res.text();
  expect(Date.now() - started).toBeGreaterThan(2 * REQUEST_TIMEOUT_MS);
  expect(text.trimEnd().endsWith("data: [DONE]")).toBe(true);
  expect(text).not.toContain('"error"');
  expect((text.match(/"content":"/g) ?? []).length).toBeGreaterThanOrEqual(14);
});

test("connections over server.maxConnections are closed unanswered; below it, requests are served", async () => {
  const small = await startGateway(testConfig({ big: [upstream.url], small: [upstream.url] }, { server: { maxConnections: 2 }, redis: { keyPrefix: "maxconn:" } }), redis.url);
  const held = await Promise.all([openSocket(small.url), openSocket(small.url)]);
  try {
    // Both held connections are usable ...
    held[0]?.write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
    const first = await new Promise<string>((r) => held[0]?.once("data", (c: Buffer) => r(c.toString())));
    expect(first).toMatch(/^HTTP\/1\.1 200/);
    // ... a third is closed at once, without an answer.
    const third = await openSocket(small.url);
    const closed = readUntilClosed(third, 5_000);
    third.write("GET /healthz HTTP/1.1\r\nHost: gw\r\n\r\n");
    expect(await closed).toBe("");
    // Once one is released, new connections are served again.
    held[1]?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await small.request("GET", "/healthz")).status).toBe(200);
  } finally {
    for (const s of held) s?.destroy();
    await small.close();
  }
});
