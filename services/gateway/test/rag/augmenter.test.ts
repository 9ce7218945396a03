/**
 * The chat-completions `rag` extension: the augmenter returns messages carrying only documents the caller's
 * groups allow (so the core's cache key, computed from these messages, differs across groups that retrieve
 * differently), numbered sources, and a no-guessing instruction when nothing is relevant.
 */
import { createRagAugmenter } from "../../src/rag/augmenter";
import { RagError } from "../../src/rag/errors";
import { auth, corpus, principals, startHarness, type Harness } from "./support/harness";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
  await h.call({ method: "POST", url: "/v1/collections/kb/documents", headers: auth("admin"), payload: { documents: corpus } });
});
afterAll(async () => {
  await h.close();
});

const ask = (content: string, who: keyof typeof principals, rag: Record<string, unknown> = {}) =>
  createRagAugmenter(h.services).augment(
    { model: "llama-3-8b", messages: [{ role: "system", content: "Be brief." }, { role: "user", content }], rag: { collection: "kb", ...rag } },
    principals[who] as (typeof principals)["admin"],
    new AbortController().signal,
  );

it("prepends the numbered documents and keeps the conversation", async () => {
  const aug = await ask("Can customers on annual plans get a full refund?", "support");
  expect(aug.noContext).toBe(false);
  expect(aug.sources[0]).toMatchObject({ n: 1, id: "support:refunds" });
  expect(aug.messages).toHaveLength(3);
  expect(aug.messages[0]?.content).toContain("[Document 1] (Source: support/refunds.md — Refund policy)");
  expect(aug.messages.slice(1)).toEqual([{ role: "system", content: "Be brief." }, { role: "user", content: "Can customers on annual plans get a full refund?" }]);
});

it("gives different messages to callers whose groups retrieve differently", async () => {
  const q = "When does the acquisition of Contoso close and for how much?";
  const exec = await ask(q, "exec", { score_threshold: 0 });
  const staff = await ask(q, "staff", { score_threshold: 0 });
  expect(JSON.stringify(exec.messages)).toContain("40 million");
  expect(JSON.stringify(staff.messages)).not.toContain("40 million");
  expect(JSON.stringify(staff.messages)).not.toEqual(JSON.stringify(exec.messages));
});

it("tells the model not to guess when nothing is relevant", async () => {
  const aug = await ask("What is the airspeed velocity of an unladen swallow?", "staff");
  expect(aug.noContext).toBe(true);
  expect(aug.sources).toEqual([]);
  expect(aug.messages[0]?.content).toMatch(/Do not answer from general knowledge/);
});

it("requires the rag:query scope", async () => {
  await expect(ask("refunds", "writer")).rejects.toThrow(RagError);
  await expect(ask("refunds", "writer")).rejects.toMatchObject({ statusCode: 403, code: "insufficient_scope" });
});
