/**
 * firstEventFlushed (src/chat/sse.ts): the first event of a stream is handed on a full event-loop turn before the
 * next, so it is written to the client before the rest of an upstream read is processed; every event still comes
 * through, in order, and stopping early closes the source.
 */
import fc from "fast-check";
import { firstEventFlushed } from "../../src/chat/sse";

/** Events that are all available at once (as when an upstream read carries many of them). */
async function* burst(events: readonly string[], closed: { value: boolean }): AsyncGenerator<string> {
  try {
    for (const e of events) yield e;
  } finally {
    closed.value = true;
  }
}

test("a turn of the event loop (an immediate) passes between the first and the second event, not later ones", async () => {
  const seen: Array<{ event: string; immediateRan: boolean }> = [];
  let immediateRan = false;
  for await (const e of firstEventFlushed(burst(["a", "b", "c"], { value: false }))) {
    seen.push({ event: e, immediateRan });
    if (e === "a") setImmediate(() => (immediateRan = true));
    if (e === "b") {
      immediateRan = false;
      setImmediate(() => (immediateRan = true));
    }
  }
  expect(seen).toEqual([
    { event: "a", immediateRan: false },
    { event: "b", immediateRan: true },
    // After the first, events flow without waiting for the loop.
    { event: "c", immediateRan: false },
  ]);
});

test("every event comes through in order (property); stopping early closes the source", async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(fc.string(), { maxLength: 30 }), async (events) => {
      const out: string[] = [];
      for await (const e of firstEventFlushed(burst(events, { value: false }))) out.push(e);
      expect(out).toEqual(events);
    }),
    { numRuns: 50 },
  );
  const closed = { value: false };
  for await (const e of firstEventFlushed(burst(["a", "b", "c"], closed))) if (e === "b") break;
  expect(closed.value).toBe(true);
});
