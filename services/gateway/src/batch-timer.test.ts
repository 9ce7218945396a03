import { BatchTimer } from "./batch-timer";

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

test("asks within the window share one run, started ms after the first ask", async () => {
  let runs = 0;
  const t = new BatchTimer(20, async () => void runs++);
  const a = t.next();
  jest.advanceTimersByTime(10);
  const b = t.next();
  expect(b).toBe(a);
  jest.advanceTimersByTime(9);
  expect(runs).toBe(0);
  jest.advanceTimersByTime(1);
  await Promise.all([a, b]);
  expect(runs).toBe(1);
  // The next ask after the run starts a new window.
  const c = t.next();
  expect(c).not.toBe(a);
  jest.advanceTimersByTime(20);
  await c;
  expect(runs).toBe(2);
});

test("ms 0 runs at every ask; now() runs at once and a run's failure reaches its askers", async () => {
  let runs = 0;
  const zero = new BatchTimer(0, async () => void runs++);
  await zero.next();
  await zero.next();
  expect(runs).toBe(2);
  expect(jest.getTimerCount()).toBe(0);
  const failing = new BatchTimer(20, async () => {
    throw new Error("redis down");
  });
  const asked = failing.next();
  jest.advanceTimersByTime(20);
  await expect(asked).rejects.toThrow("redis down");
  await expect(failing.now()).rejects.toThrow("redis down");
});
