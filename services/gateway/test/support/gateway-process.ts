/**
 * A gateway as its own process (src/server.ts under tsx, or the compiled dist/server.js), for tests of what only
 * the real process does: signals, shutdown, the image's layout and flags. Resolves once it listens (its log says
 * where); rejects with its log when it exits first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";

export interface GatewayProcess {
  readonly proc: ChildProcess;
  readonly url: string;
  /** Every stdout and stderr line so far. */
  readonly log: string[];
  readonly exit: Promise<number | null>;
}

/** Spawns `node <argv>` (in `cwd`, with `env`) and waits for Fastify's "Server listening at" line. */
export async function spawnGateway(argv: readonly string[], opts: { readonly env: NodeJS.ProcessEnv; readonly cwd?: string }): Promise<GatewayProcess> {
  const proc = spawn(process.execPath, [...argv], { env: opts.env, ...(opts.cwd ? { cwd: opts.cwd } : {}), stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  const exit = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  createInterface({ input: proc.stderr as NodeJS.ReadableStream }).on("line", (l) => log.push(l));
  const url = await new Promise<string>((res, rej) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).on("line", (l) => {
      log.push(l);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(l);
      if (m) res(m[1] as string);
    });
    void exit.then((code) => rej(new Error(`gateway exited (${code}) before listening:\n${log.join("\n")}`)));
  });
  return { proc, url, log, exit };
}
