/** What the ingest CLIs write, captured for a test: output and error lines, the progress stream's text, and env. */
import { Writable } from "node:stream";

export interface CapturedCliIo {
  readonly out: string[];
  readonly err: string[];
  readonly progress: string;
  readonly io: { out: (l: string) => void; err: (l: string) => void; progress: Writable; env: Record<string, string> };
}

/** A fresh capture whose CLI environment is `env`. */
export function captureCliIo(env: Record<string, string>): CapturedCliIo {
  const out: string[] = [];
  const err: string[] = [];
  let progress = "";
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      progress += chunk.toString();
      cb();
    },
  });
  return { out, err, get progress() { return progress; }, io: { out: (l: string) => out.push(l), err: (l: string) => err.push(l), progress: stream, env } };
}
