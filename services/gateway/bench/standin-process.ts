/**
 * Runs the OpenAI stand-in in its own process for the benchmark; prints its URL as the first stdout line. The
 * stand-in still validates every request and answer against the OpenAI document; a "violations" line on stdin
 * prints how many it saw (JSON number). Its record of requests is cleared every second so a soak does not grow
 * its memory (the benchmark never reads it).
 *
 * Also a model server for trying the gateway without GPUs (README "Run it locally"): an optional first argument
 * fixes the port, e.g. `npx tsx services/gateway/bench/standin-process.ts 8000`; `--words=50` sets the words per
 * answer (one streamed chunk each; default 8).
 */
import { createInterface } from "node:readline";
import { OpenAIStandin } from "../test/support/openai-standin";

const args = process.argv.slice(2);
const wordsArg = args.find((a) => a.startsWith("--words="))?.slice("--words=".length);
const words = wordsArg === undefined ? 8 : Number(wordsArg);
if (!(Number.isInteger(words) && words >= 2 && words <= 10_000)) {
  process.stderr.write(`standin-process: --words must be an integer from 2 to 10000, got ${JSON.stringify(wordsArg)}\n`);
  process.exit(2);
}
const portArg = args.find((a) => !a.startsWith("--"));
const port = portArg === undefined ? undefined : Number(portArg);
if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
  process.stderr.write(`standin-process: the port must be an integer from 1 to 65535, got ${JSON.stringify(portArg)}\n`);
  process.exit(2);
}

void OpenAIStandin.start({ words, ...(port !== undefined ? { port } : {}) }).then((s) => {
  process.stdout.write(`${s.url}\n`);
  setInterval(() => {
    s.requests.length = 0;
  }, 1_000).unref();
  process.on("SIGTERM", () => void s.stop().then(() => process.exit(0)));
  void (async () => {
    for await (const line of createInterface({ input: process.stdin })) {
      if (line === "violations") process.stdout.write(`${JSON.stringify(s.violations.length)}\n`);
    }
  })();
});
