/**
 * Linear time: adversarial 100 KB inputs (the shapes that make backtracking regexes explode, plus seeded
 * fast-check-generated ones) through every local detector; the bound is under 100 ms each. Timed in a
 * plain Node child process (support/linear-time-probe.ts): jest's VM context runs some builtins (Math.imul,
 * obscenity's transformers) several times slower than the gateway does. The probe measures the CPU time of the
 * fastest of two warm runs, so a busy machine does not fail it, while anything quadratic still takes seconds.
 */
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";

const root = resolve(__dirname, "..", "..", "..", "..");
const tsx = resolve(root, "node_modules", "tsx", "dist", "cli.mjs");

test("every local detector handles each adversarial 100 KB input in under 100 ms", () => {
  const out = execFileSync(process.execPath, [tsx, resolve(__dirname, "support", "linear-time-probe.ts")], { cwd: root, encoding: "utf8", timeout: 120_000 });
  const results = JSON.parse(out) as { name: string; detector: string; ms: number }[];
  expect(results.length).toBe(30 * 5);
  const slow = results.filter((r) => r.ms >= 100).map((r) => `${r.detector} on ${r.name}: ${r.ms.toFixed(1)} ms`);
  expect(slow).toEqual([]);
});
