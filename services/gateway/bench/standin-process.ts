/** Runs the OpenAI stand-in in its own process for the benchmark; prints its URL as the first stdout line. */
import { OpenAIStandin } from "../test/support/openai-standin";

void OpenAIStandin.start({ words: 8 }).then((s) => {
  process.stdout.write(`${s.url}\n`);
  process.on("SIGTERM", () => void s.stop().then(() => process.exit(0)));
});
