/**
 * Retrains src/guardrails/models/toxicity.json from toxicity/extra-train.jsonl (Davidson tweets + ToxiGen).
 * surge-toxicity-en.csv is never trained on: it is the unseen test set (another source and style). A 25%
 * hash split of extra-train is held out too, for an in-domain figure. Run:
 * npx tsx services/gateway/scripts/train-toxicity.ts
 */
import { writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { dataDir, readJsonl, readToxicityCsv } from "../src/guardrails/models/datasets";
import { binaryScores, isHeldOut, train } from "../src/guardrails/models/train";

function main(): void {
  const dir = dataDir();
  const rows = readJsonl(resolve(dir, "toxicity/extra-train.jsonl"));
  const trainSet = rows.filter((r) => !isHeldOut(r.text, 0.25));
  const model = train(trainSet, { epochs: 5, l2: 1e-5 });
  const surge = readToxicityCsv(resolve(dir, "toxicity/surge-toxicity-en.csv"));
  const threshold = 0.9;
  const unseen = binaryScores(surge.map((r) => ({ predicted: model.predict(r.text) >= threshold, label: r.label })));
  const meta = { trainedOn: "toxicity/extra-train.jsonl (75% hash split)", trainRows: trainSet.length, unseenSet: "surge-toxicity-en.csv", threshold, unseen };
  const out = resolve(__dirname, "../src/guardrails/models/toxicity.json");
  writeFileSync(out, JSON.stringify(model.toFile("toxicity", meta)) + "\n");
  console.log(`wrote ${out}\n${JSON.stringify(meta, null, 2)}`);
}

main();
