import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Pool } from "undici";
import { asAbortSignal, RequestAbort } from "./request-abort";

test("aborts once, with the default AbortError or the given reason; listeners run synchronously", () => {
  const a = new RequestAbort();
  const seen: unknown[] = [];
  a.addEventListener("abort", () => seen.push(a.reason), { once: true });
  expect(a.aborted).toBe(false);
  a.abort();
  a.abort(new Error("second"));
  expect(a.aborted).toBe(true);
  expect((a.reason as DOMException).name).toBe("AbortError");
  expect(seen).toEqual([a.reason]);
  const b = new RequestAbort();
  b.abort(new Error("client went away"));
  expect((b.reason as Error).message).toBe("client went away");
});

test("removeEventListener detaches; a listener added without once stays", () => {
  const a = new RequestAbort();
  let removed = 0;
  let kept = 0;
  const r = (): void => void removed++;
  a.addEventListener("abort", r, { once: true });
  a.addEventListener("abort", () => void kept++);
  a.removeEventListener("abort", r);
  a.abort();
  expect([removed, kept]).toEqual([0, 1]);
  expect(a.listenerCount("abort")).toBe(1);
});

test("toAbortSignal follows it, before or after the abort; a real AbortSignal passes through", () => {
  const a = new RequestAbort();
  const s = asAbortSignal(a);
  expect(s).toBeInstanceOf(AbortSignal);
  expect(a.toAbortSignal()).toBe(s);
  a.abort(new Error("gone"));
  expect(s.aborted).toBe(true);
  expect((s.reason as Error).message).toBe("gone");
  const b = new RequestAbort();
  b.abort();
  expect(b.toAbortSignal().aborted).toBe(true);
  const real = new AbortController().signal;
  expect(asAbortSignal(real)).toBe(real);
});

describe("as undici's signal", () => {
  let server: Server;
  let pool: Pool;
  let closed: Promise<void>;
  beforeAll(async () => {
    let onClose: () => void = () => undefined;
    closed = new Promise((r) => (onClose = r));
    // "/ok" answers; anything else answers nothing, so only the abort ends it.
    server = createServer((req, res) => (req.url === "/ok" ? res.end("ok") : req.socket.once("close", onClose)));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  });
  afterAll(async () => {
    await pool.close();
    server.close();
  });

  test("an abort cancels the request in flight (the server sees the connection close) and rejects the call", async () => {
    const a = new RequestAbort();
    const call = pool.request({ method: "GET", path: "/", signal: a });
    setTimeout(() => a.abort(), 50);
    await expect(call).rejects.toMatchObject({ name: "AbortError" });
    await closed;
    expect(a.listenerCount("abort")).toBe(0);
  });

  test("a completed request leaves no listener behind, as with an AbortSignal", async () => {
    const a = new RequestAbort();
    const res = await pool.request({ method: "GET", path: "/ok", signal: a });
    expect(await res.body.text()).toBe("ok");
    await new Promise((r) => setTimeout(r, 20));
    expect(a.listenerCount("abort")).toBe(0);
  });

  test("an already aborted signal never sends", async () => {
    const a = new RequestAbort();
    a.abort();
    await expect(pool.request({ method: "GET", path: "/", signal: a })).rejects.toMatchObject({ name: "AbortError" });
  });
});
