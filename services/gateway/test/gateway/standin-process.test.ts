/**
 * The OpenAI stand-in process (bench/standin-process.ts: the benchmark's upstream and the README's local model
 * server) survives a client that disconnects in the middle of a request body, and keeps answering.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { connect } from "node:net";
import { resolve } from "node:path";
import { createInterface } from "node:readline";

let proc: ChildProcess;
let url: URL;

beforeAll(async () => {
  proc = spawn(process.execPath, ["--import", "tsx", resolve(__dirname, "../../bench/standin-process.ts")], { stdio: ["pipe", "pipe", "pipe"] });
  const first = await new Promise<string>((res, rej) => {
    createInterface({ input: proc.stdout as NodeJS.ReadableStream }).once("line", res);
    proc.once("exit", (code) => rej(new Error(`stand-in exited with ${code} before printing its URL`)));
  });
  url = new URL(first);
});

afterAll(() => {
  proc.kill("SIGKILL");
});

/** Sends the head and half of a 2,000-byte body, then drops the connection. */
function abortMidBody(): Promise<void> {
  return new Promise((res, rej) => {
    const s = connect(Number(url.port), url.hostname, () => {
      s.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: ${url.host}\r\ncontent-type: application/json\r\ncontent-length: 2000\r\n\r\n{"model":"m","messages":[`);
      setTimeout(() => {
        s.destroy();
        res();
      }, 50);
    });
    s.once("error", rej);
  });
}

test("a client that disconnects mid-body neither crashes the stand-in nor stops it answering", async () => {
  for (let i = 0; i < 3; i++) await abortMidBody();
  // Long enough for the "aborted" rejection to surface (it would end the process at once).
  await new Promise((r) => setTimeout(r, 300));
  expect(proc.exitCode).toBeNull();
  const res = await fetch(`${url.origin}/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ model: "m", messages: [{ role: "user", content: "still there?" }] }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: Array<{ message: { content: string } }> };
  expect(body.choices[0]?.message.content).toContain("still");
});
