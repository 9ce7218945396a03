/**
 * make eval-guardrails / train-guardrails without the labeled data: one line on stderr naming the path expected,
 * exit code 2 — not a stack trace (issue 17, compliance).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const SCRIPTS = resolve(__dirname, "../../scripts");
const TSX = require.resolve("tsx/cli");

test.each(["eval-guardrails.ts", "train-injection.ts", "train-toxicity.ts"])("%s without $SHARED_DIR/data stops with one line naming the path", (script) => {
  const shared = mkdtempSync(join(tmpdir(), "no-shared-"));
  const r = spawnSync(process.execPath, [TSX, join(SCRIPTS, script)], { env: { ...process.env, SHARED_DIR: shared }, encoding: "utf8", timeout: 60_000 });
  expect(r.status).toBe(2);
  const lines = r.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(join(shared, "data"));
  expect(lines[0]).toContain("SHARED_DIR");
});
