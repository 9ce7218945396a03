/**
 * The benchmark's machine calibration measures what it says: positive, finite costs, and a loopback round trip
 * (at least two writes and two reads) dearer than a single system call.
 */
import { calibrate, describeCalibration } from "../../bench/machine-calibration";

test("the calibration's costs are positive and ordered as their system calls are", async () => {
  const c = await calibrate();
  for (const v of [c.syscallUs, c.tcpRoundTripUs, c.cpuStepUs]) {
    expect(Number.isFinite(v)).toBe(true);
    expect(v).toBeGreaterThan(0);
  }
  expect(c.tcpRoundTripUs).toBeGreaterThan(c.syscallUs);
  expect(describeCalibration(c)).toBe(
    `fstat(2) ${c.syscallUs.toFixed(2)} µs, loopback TCP round trip ${c.tcpRoundTripUs.toFixed(1)} µs, JSON + SHA-256 of a chat body ${c.cpuStepUs.toFixed(1)} µs`,
  );
});
