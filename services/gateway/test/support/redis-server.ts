/**
 * A real redis-server for tests, on a free loopback port, owned by the test so it can be stopped and started
 * again (fault tests). Never a mock: the gateway's limits and cache must hold against the real thing.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, connect } from "node:net";
import type { Redis } from "ioredis";
import { connectRedis, createRedis } from "../../src/redis-client";
import { gatewayConfigSchema } from "../../src/config/schema";

/** Asks the kernel for a free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

async function waitForPing(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const sock = connect(port, "127.0.0.1");
      sock.setTimeout(500);
      sock.once("connect", () => sock.write("PING\r\n"));
      sock.once("data", (d) => {
        sock.destroy();
        resolve(d.toString().startsWith("+PONG"));
      });
      sock.once("error", () => resolve(false));
      sock.once("timeout", () => {
        sock.destroy();
        resolve(false);
      });
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** A redis-server process the test controls. */
export class TestRedis {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number) {}

  /** The redis-server's process id while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.proc?.pid;
  }

  /** Starts a fresh, empty, non-persistent redis-server on a free port. */
  static async start(): Promise<TestRedis> {
    const r = new TestRedis(await freePort());
    await r.start();
    return r;
  }

  /** redis:// URL of this server. */
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  /** (Re)starts the server on the same port. */
  async start(): Promise<void> {
    if (this.proc) return;
    const proc = spawn(
      "redis-server",
      ["--port", String(this.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--loglevel", "warning"],
      { stdio: "ignore" },
    );
    this.proc = proc;
    proc.once("exit", () => {
      if (this.proc === proc) this.proc = undefined;
    });
    await waitForPing(this.port, 10_000);
  }

  /** Stops the server (SIGKILL, like a crash) and waits for the process to exit. */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc) return;
    this.proc = undefined;
    await new Promise<void>((resolve) => {
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  }
}

/**
 * A TestRedis and a connected gateway client for it (src/redis-client.ts, the production options), for suites that
 * talk to Redis directly. Call `close()` in afterAll.
 */
export async function startRedisWithClient(commandTimeoutMs = 2_000): Promise<{ server: TestRedis; redis: Redis; close(): Promise<void> }> {
  const server = await TestRedis.start();
  const redis = createRedis(gatewayConfigSchema.shape.redis.parse({ url: server.url, commandTimeoutMs }));
  await connectRedis(redis);
  return {
    server,
    redis,
    close: async () => {
      redis.disconnect();
      await server.stop();
    },
  };
}
