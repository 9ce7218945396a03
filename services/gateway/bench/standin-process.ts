/**
 * Runs the OpenAI stand-in in its own process for the benchmark; prints its URL as the first stdout line. The
 * stand-in still validates every request and answer against the OpenAI document; a "violations" line on stdin
 * prints how many it saw (JSON number). Its record of requests is cleared every second so a soak does not grow
 * its memory (the benchmark never reads it).
 */
import { createInterface } from "node:readline";
import { OpenAIStandin } from "../test/support/openai-standin";

void OpenAIStandin.start({ words: 8 }).then((s) => {
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
