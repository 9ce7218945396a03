/**
 * Retrains src/guardrails/models/injection.json from the shared injection sets (deepset + extra-train).
 * A deterministic 25% of rows (by text hash) is held out and never trained on; the eval script scores only
 * those. Run: npx tsx services/gateway/scripts/train-injection.ts
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { dataDir, readJsonl } from "../src/guardrails/models/datasets";
import { binaryScores, isHeldOut, train } from "../src/guardrails/models/train";

import { INJECTION_HOLDOUT } from "./train-injection-split";

function main(): void {
  const dir = dataDir();
  const rows = [...readJsonl(resolve(dir, "injection/deepset-train.jsonl")), ...readJsonl(resolve(dir, "injection/extra-train.jsonl"))];
  const trainSet = rows.filter((r) => !isHeldOut(r.text, INJECTION_HOLDOUT));
  const test = rows.filter((r) => isHeldOut(r.text, INJECTION_HOLDOUT));
  const model = train(trainSet, { epochs: 10 });
  const scores = binaryScores(test.map((r) => ({ predicted: model.predict(r.text) >= 0.5, label: r.label })));
  const out = resolve(__dirname, "../src/guardrails/models/injection.json");
  const meta = { trainedOn: "deepset-train.jsonl + extra-train.jsonl", trainRows: trainSet.length, heldOutRows: test.length, heldOutFraction: INJECTION_HOLDOUT, heldOut: scores };
  writeFileSync(out, JSON.stringify(model.toFile("injection", meta)) + "\n");
  console.log(`wrote ${out}\n${JSON.stringify(meta, null, 2)}`);
}

main();
