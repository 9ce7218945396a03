/**
 * Runs a gateway in its own process for the benchmark: argv = upstream URL, Redis URL. Prints its URL as the
 * first stdout line; on a "metrics" line on stdin, prints the overhead histogram and resets it ("reset").
 */
import { createInterface } from "node:readline";
import { KEYS, startGateway, testConfig } from "../test/support/gateway-fixture";

async function main(): Promise<void> {
  const [upstream, redisUrl] = process.argv.slice(2) as [string, string];
  const cfg = testConfig(
    { big: [upstream], small: [upstream] },
    { telemetry: { logLevel: "error" }, limits: { tiers: { standard: { principal: { rpm: 10_000_000, tpm: 1_000_000_000 }, tenant: { rpm: 10_000_000, tpm: 1_000_000_000 } } } } },
  );
  // Llama 3's tokenizer for the chat model, as in production.
  (cfg.models["mistral-7b"] as { tokenizer: string }).tokenizer = "llama3";
  const gw = await startGateway(cfg, redisUrl);
  process.stdout.write(`${gw.url} ${KEYS.tenantA}\n`);
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === "reset") {
      gw.registry.resetMetrics();
      process.stdout.write("ok\n");
    } else if (line === "metrics") {
      const text = await gw.registry.metrics();
      const wanted = text.split("\n").filter((l) => l.startsWith("llm_gateway_overhead_seconds_bucket"));
      process.stdout.write(`${JSON.stringify(wanted)}\n`);
    } else if (line === "quit") {
      await gw.close();
      process.exit(0);
    }
  }
}
void main();
