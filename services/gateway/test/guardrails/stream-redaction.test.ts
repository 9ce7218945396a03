/**
 * Redacting streams (StreamGuard.pushRedacting / endRedacting): whatever the delta boundaries, the released
 * text never carries a redact-type value, equals the whole answer's redaction, and block-type values are
 * caught before any of their characters are released.
 */
import fc from "fast-check";
import type { StreamGuard, StreamRelease } from "../../src/contracts";
import { createGuardrails, guardrailsConfigSchema } from "../../src/guardrails";

const ctx = { route: "chat.completions", tenant: "acme" };
const make = (raw: unknown = {}) => createGuardrails(guardrailsConfigSchema.parse(raw));

/** `text` cut at `cuts` into deltas. */
function split(text: string, cuts: readonly number[]): string[] {
  const points = [...new Set(cuts.filter((c) => c > 0 && c < text.length))].sort((a, b) => a - b);
  return [0, ...points].map((p, i) => text.slice(p, points[i] ?? text.length));
}

function redacting(guard: StreamGuard): { push: (d: string) => Promise<StreamRelease>; end: () => Promise<StreamRelease> } {
  const { pushRedacting, endRedacting } = guard;
  if (!pushRedacting || !endRedacting) throw new Error("the pipeline's stream guard should offer redacting mode");
  return { push: pushRedacting, end: endRedacting };
}

const cutsFor = (text: string) => fc.array(fc.integer({ min: 1, max: text.length - 1 }), { maxLength: 24 });

describe("redacting stream guard", () => {
  const answer =
    "Here is the contact sheet you asked for. The account manager is Alice Johnson; write to alice.johnson@example.com " +
    "or call +1 415-555-2671 during office hours. The VPN gateway is at 10.20.30.40, and the backup mail relay is " +
    "relay-7@mail.example.org. Let me know if you need anything else.";

  test("released text equals the whole answer's redaction and never holds a value, whatever the deltas", async () => {
    const whole = await make().checkOutput(answer, ctx);
    expect(whole.action).toBe("redact");
    await fc.assert(
      fc.asyncProperty(cutsFor(answer), fc.constantFrom(48, 128), async (cuts, holdBack) => {
        const g = redacting(make({ output: { streamHoldBackChars: holdBack } }).streamGuard(ctx));
        let sent = "";
        for (const d of split(answer, cuts)) {
          const r = await g.push(d);
          expect(r.blocked).toBeUndefined();
          sent += r.emit;
          for (const secret of ["alice.johnson@", "555-2671", "10.20.30.40", "relay-7@"]) expect(sent).not.toContain(secret);
        }
        const last = await g.end();
        expect(last.blocked).toBeUndefined();
        sent += last.emit;
        if (holdBack >= 128) expect(sent).toBe(whole.text);
        for (const secret of ["alice.johnson", "555-2671", "10.20.30.40", "relay-7", "Johnson"]) expect(sent).not.toContain(secret);
      }),
      { numRuns: 60, seed: 20261128 },
    );
  });

  test("text is held back until it has right context, then released", async () => {
    const g = redacting(make({ output: { streamHoldBackChars: 10 } }).streamGuard(ctx));
    expect((await g.push("short")).emit).toBe("");
    const r = await g.push(" answer that goes on for a while");
    expect(r.emit.length).toBeGreaterThan(0);
    expect(r.emit + (await g.end()).emit).toBe("short answer that goes on for a while");
  });

  test("an SSN blocks the stream before any of its digits are released", async () => {
    const text = "Sure. The number on file is 536-22-1234, as requested, and nothing else is needed here.";
    await fc.assert(
      fc.asyncProperty(cutsFor(text), async (cuts) => {
        const g = redacting(make().streamGuard(ctx));
        let sent = "";
        for (const d of split(text, cuts)) {
          const r = await g.push(d);
          sent += r.emit;
          if (r.blocked) {
            expect(r.blocked.block?.code).toBe("pii_blocked");
            expect(sent).not.toMatch(/536|22-1234/);
            expect((await g.push("more")).blocked).toBeDefined();
            expect((await g.end()).blocked).toBeDefined();
            return;
          }
        }
        throw new Error("the SSN was never blocked");
      }),
      { numRuns: 40, seed: 7 },
    );
  });

  test("whole-answer checks run at the end: invalid JSON blocks, the held-back tail is not released", async () => {
    const g = redacting(make().streamGuard({ ...ctx, responseFormat: { type: "json_object" } }));
    expect((await g.push('{"a": 1')).emit).toBe("");
    const end = await g.end();
    expect(end.emit).toBe("");
    expect(end.blocked?.block?.code).toBe("invalid_json_output");
  });

  test("over-long answers block while streaming", async () => {
    const g = redacting(make({ output: { maxChars: 20, streamHoldBackChars: 0 } }).streamGuard(ctx));
    expect((await g.push("0123456789")).emit).toBe("0123456789");
    expect((await g.push("0123456789x")).blocked?.block?.code).toBe("output_too_long");
  });

  test("disabled guardrails pass deltas straight through", async () => {
    const g = redacting(make({ enabled: false }).streamGuard(ctx));
    expect((await g.push("mail bob@example.com")).emit).toBe("mail bob@example.com");
    expect((await g.end()).emit).toBe("");
  });
});
