/**
 * Requests Node's HTTP parser refuses before any route runs (framing conflicts, bad chunk sizes, oversized
 * request lines and headers, garbage) are answered over the real socket in the gateway's error shape,
 * {"error":{"message","type","code","param"}}, and the connection is closed; the gateway keeps serving. So are
 * the refusals Fastify's router and Node make outside the parser (bad percent-encoding, no Host, a bad Expect,
 * CONNECT), without echoing the URL or its query string.
 */
import { startGatewayStack, type GatewayStack } from "../support/gateway-stack";
import { KEYS, startGateway, testConfig, type TestGateway } from "../support/gateway-fixture";
import { rawExchange, rawRequest } from "../support/raw-http";

let gw: TestGateway;
let stack: GatewayStack;

beforeAll(async () => {
  stack = await startGatewayStack();
  ({ gw } = stack);
});
afterAll(async () => stack.stop());

const auth = `Authorization: Bearer ${KEYS.tenantA}\r\n`;
const body = JSON.stringify({ model: "mistral-7b", messages: [{ role: "user", content: "hi" }] });
const post = (headers: string, rest: string) => `POST /v1/chat/completions HTTP/1.1\r\nHost: gw\r\n${auth}Content-Type: application/json\r\n${headers}\r\n${rest}`;

const cases: Array<[string, string, number, string]> = [
  ["Content-Length together with Transfer-Encoding", post(`Content-Length: ${body.length}\r\nTransfer-Encoding: chunked\r\n`, `${body.length.toString(16)}\r\n${body}\r\n0\r\n\r\n`), 400, "invalid_transfer_encoding"],
  ["two different Content-Lengths", post(`Content-Length: ${body.length}\r\nContent-Length: 3\r\n`, body), 400, "invalid_content_length"],
  ["a Content-Length that is not a number", post("Content-Length: 12abc\r\n", body), 400, "invalid_content_length"],
  ["a bad chunk size", post("Transfer-Encoding: chunked\r\n", `zz\r\n${body}\r\n0\r\n\r\n`), 400, "invalid_chunk_size"],
  ["a request line over the header limit", `GET /v1/models?pad=${"x".repeat(20_000)} HTTP/1.1\r\nHost: gw\r\n${auth}\r\n`, 431, "headers_too_large"],
  ["headers over the limit", `GET /v1/models HTTP/1.1\r\nHost: gw\r\n${auth}X-Padding: ${"y".repeat(20_000)}\r\n\r\n`, 431, "headers_too_large"],
  ["an invalid method", "G@T /v1/models HTTP/1.1\r\nHost: gw\r\n\r\n", 400, "invalid_method"],
  ["not HTTP at all", "\u0001\u0002hello there\r\n\r\n", 400, "invalid_method"],
];

test.each(cases)("%s: answered in the gateway's error shape, connection closed", async (_name, bytes, status, code) => {
  const res = await rawRequest(gw.url, bytes);
  expect(res.status).toBe(status);
  expect(res.head).toMatch(/\r\ncontent-type: application\/json\r\n/i);
  expect(res.head).toMatch(/\r\nconnection: close/i);
  expect(res.json).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code, param: null } });
  // Neither the credential nor the padding is echoed back.
  expect(res.body).not.toContain(KEYS.tenantA);
});

test("the gateway keeps serving after refusing them", async () => {
  const ok = await gw.request("POST", "/v1/chat/completions", { headers: { authorization: `Bearer ${KEYS.tenantA}` }, json: JSON.parse(body) });
  expect(ok.status).toBe(200);
});

const refusedOutsideParser: Array<[string, string, number, string]> = [
  ["broken percent-encoding in the path", `GET /v1/models/%zz?api_key=${KEYS.tenantA} HTTP/1.1\r\nHost: gw\r\n${auth}\r\n`, 400, "invalid_url"],
  ["a truncated UTF-8 escape", `GET /v1/%E0%A4%A?access_token=${KEYS.tenantA} HTTP/1.1\r\nHost: gw\r\n${auth}\r\n`, 400, "invalid_url"],
  ["an HTTP/1.1 request without Host", `GET /v1/models?api_key=${KEYS.tenantA} HTTP/1.1\r\n${auth}\r\n`, 400, "missing_host"],
  ["an Expect other than 100-continue", post("Expect: bogus\r\nContent-Length: 2\r\n", "{}"), 417, "expectation_failed"],
  ["CONNECT", `CONNECT gw:443 HTTP/1.1\r\nHost: gw:443\r\n${auth}\r\n`, 405, "method_not_allowed"],
];

test.each(refusedOutsideParser)("%s: answered in the gateway's error shape, the URL not echoed", async (_name, bytes, status, code) => {
  const res = await rawExchange(gw.url, bytes, 3_000);
  expect(res.status).toBe(status);
  expect(res.head).toMatch(/\r\ncontent-type: application\/json/i);
  expect(res.json).toEqual({ error: { message: expect.any(String), type: "invalid_request_error", code, param: null } });
  expect(res.body).not.toContain(KEYS.tenantA);
});

test("Expect: 100-continue (curl sends it for bodies over 1 KiB) still gets its 100 and then the answer", async () => {
  const res = await rawExchange(gw.url, post(`Expect: 100-continue\r\nContent-Length: ${body.length}\r\n`, body), 5_000);
  expect(res.head).toMatch(/^HTTP\/1\.1 100 Continue/);
  expect(res.body).toMatch(/HTTP\/1\.1 200 OK/);
});

test("an HTTP/1.0 request without Host is still served (Host is required of HTTP/1.1 only)", async () => {
  const res = await rawRequest(gw.url, `GET /healthz HTTP/1.0\r\n\r\n`);
  expect(res.status).toBe(200);
});
