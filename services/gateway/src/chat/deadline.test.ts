import { deadline } from "./deadline";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test("fires with a TimeoutError when the time is up", () => {
  const d = deadline(new AbortController().signal, 1_000);
  jest.advanceTimersByTime(999);
  expect(d.signal.aborted).toBe(false);
  jest.advanceTimersByTime(1);
  expect(d.signal.aborted).toBe(true);
  expect((d.signal.reason as DOMException).name).toBe("TimeoutError");
});

test("fires with the caller's reason when the caller aborts, and not again on the timer", () => {
  const caller = new AbortController();
  const d = deadline(caller.signal, 1_000);
  caller.abort(new Error("client went away"));
  expect(d.signal.aborted).toBe(true);
  expect((d.signal.reason as Error).message).toBe("client went away");
  expect(jest.getTimerCount()).toBe(0);
});

test("an already aborted caller gives an aborted deadline", () => {
  const caller = new AbortController();
  caller.abort();
  expect(deadline(caller.signal, 1_000).signal.aborted).toBe(true);
});

test("dispose clears the timer and detaches from the caller", () => {
  const caller = new AbortController();
  const d = deadline(caller.signal, 1_000);
  expect(jest.getTimerCount()).toBe(1);
  d.dispose();
  expect(jest.getTimerCount()).toBe(0);
  caller.abort();
  jest.advanceTimersByTime(5_000);
  expect(d.signal.aborted).toBe(false);
});
