/**
 * The TEI classifier layers end to end: the real TEI client (upstreams/tei-client) against the TEI stand-in,
 * which validates every /predict request against the TEI OpenAPI document.
 */
import { createGuardrails, fromTeiPredict, guardrailsConfigSchema } from "../../src/guardrails";
import { TeiClient } from "../../src/upstreams/tei-client";
import { TeiStandin } from "../support/tei-standin";

const ctx = { route: "chat.completions", tenant: "acme" };
let tei: TeiStandin;
let client: TeiClient;

beforeAll(async () => {
  tei = await TeiStandin.start();
  client = new TeiClient({ url: tei.url, timeoutMs: 2000 });
});
afterAll(async () => {
  await client.close();
  await tei.stop();
});
afterEach(() => {
  tei.fail("*", undefined);
  expect(tei.violations).toEqual([]);
});

const build = (raw: Record<string, unknown>, warnings: string[] = []) =>
  createGuardrails(guardrailsConfigSchema.parse({ ...raw, classifierEndpoints: { toxic: { url: tei.url }, guard: { url: tei.url } } }), {
    classifier: fromTeiPredict({ toxic: client, guard: client }),
    logger: { warn: (_o, msg) => warnings.push(msg) },
  });

test("toxicity labels at or above their threshold block with content_policy", async () => {
  tei.setPredict((text) => (text.includes("insult") ? [{ label: "toxic", score: 0.93 }, { label: "neutral", score: 0.07 }] : [{ label: "neutral", score: 0.98 }, { label: "toxic", score: 0.02 }]));
  const g = build({ toxicity: { localThreshold: 1, tei: { model: "toxic", labels: { toxic: 0.8 } } } });
  expect((await g.checkInput([{ role: "user", content: "a polite question" }], ctx)).action).toBe("allow");
  const r = await g.checkInput([{ role: "user", content: "an insult here" }], ctx);
  expect(r.block).toMatchObject({ code: "content_policy", guard: "toxicity" });
  expect(r.findings).toContainEqual(expect.objectContaining({ guard: "toxicity", type: "toxic", score: 0.93 }));
  expect(tei.calls("/predict").length).toBeGreaterThanOrEqual(2);
});

test("an injection classifier raises the score of what the local layers miss", async () => {
  tei.setPredict((text) => (text.includes("subtle") ? [{ label: "INJECTION", score: 0.97 }, { label: "SAFE", score: 0.03 }] : [{ label: "SAFE", score: 0.99 }]));
  const g = build({ injection: { tei: { model: "guard", label: "INJECTION", threshold: 0.9 } } });
  expect((await g.checkInput([{ role: "user", content: "a subtle request about the weather" }], ctx)).block?.code).toBe("prompt_injection");
  expect((await g.checkInput([{ role: "user", content: "a request about the weather" }], ctx)).action).toBe("allow");
});

test("a failing classifier: local layers still decide (allow), or the request blocks when configured to fail closed", async () => {
  tei.fail("/predict", 503);
  const warnings: string[] = [];
  const open = build({ toxicity: { tei: { model: "toxic", labels: { toxic: 0.8 } } } }, warnings);
  expect((await open.checkInput([{ role: "user", content: "hello there" }], ctx)).action).toBe("allow");
  expect(warnings).toContain("toxicity classifier unavailable");
  const closed = build({ toxicity: { onClassifierError: "block", tei: { model: "toxic", labels: { toxic: 0.8 } } } });
  expect((await closed.checkInput([{ role: "user", content: "hello there" }], ctx)).block?.code).toBe("content_policy");
});

test("streaming windows do not call TEI for every delta; the end of the stream does", async () => {
  tei.setPredict(() => [{ label: "neutral", score: 0.99 }]);
  const before = tei.calls("/predict").length;
  const g = build({ toxicity: { tei: { model: "toxic", labels: { toxic: 0.8 } } } });
  const s = g.streamGuard(ctx);
  for (const d of ["Hello", " there", ", how", " are you?"]) expect(await s.push(d)).toBeUndefined();
  expect(tei.calls("/predict").length).toBe(before);
  expect((await s.end()).action).toBe("allow");
  expect(tei.calls("/predict").length).toBe(before + 1);
});
