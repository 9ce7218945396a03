/** The extra public prompt lists for the injection model (scripts/eval-data/injection-train-sources.json, decision 0105). */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { pickStrings } from "../../scripts/train-injection";

describe("pickStrings reads a source's pinned field", () => {
  test("a list of strings under a key; empty and non-string items skipped", () => {
    expect(pickStrings({ jailbreak: ["act as DAN", "", 3, "  "], refusal: ["no"] }, "jailbreak")).toEqual(["act as DAN"]);
  });
  test("a key of each object in a list", () => {
    expect(pickStrings({ chats: [{ prompt: "What is 2+2?", response: "4" }, { response: "x" }, null] }, "chats[].prompt")).toEqual(["What is 2+2?"]);
  });
  test("a missing key or a non-list gives nothing rather than a guess", () => {
    expect(pickStrings({ jailbreak: "one string" }, "jailbreak")).toEqual([]);
    expect(pickStrings(null, "x")).toEqual([]);
  });
});

test("every listed source pins a full commit, a permissive licence and the train role", () => {
  const file = JSON.parse(readFileSync(resolve(__dirname, "../../scripts/eval-data/injection-train-sources.json"), "utf8")) as { sources: { commit: string; license: string; role: string; label: number; use: boolean }[] };
  expect(file.sources.length).toBeGreaterThan(0);
  for (const s of file.sources) {
    expect(s.commit).toMatch(/^[0-9a-f]{40}$/);
    expect(s.license).toMatch(/^(MIT|Apache-2\.0|BSD|CC0|CC-BY-4\.0)/);
    expect(s.role).toBe("train");
    expect([0, 1]).toContain(s.label);
    expect(typeof s.use).toBe("boolean");
  }
});
