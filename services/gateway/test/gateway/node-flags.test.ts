/**
 * The benchmark runs the gateway with the production image's node flags, read from the Dockerfile.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { productionNodeFlags } from "../../bench/node-flags";

test("the Dockerfile's ENTRYPOINT gives the flags, including the GC settings the benchmark relies on", () => {
  const flags = productionNodeFlags(readFileSync(resolve(__dirname, "../../Dockerfile"), "utf8"));
  expect(flags).toEqual(expect.arrayContaining(["--heap-growing-percent=100", "--no-allocation-site-pretenuring", "--max-semi-space-size=32"]));
  expect(flags.every((f) => f.startsWith("--"))).toBe(true);
});

test.each([
  ["FROM node\nCMD node dist/server.js\n", "no ENTRYPOINT in exec form"],
  ['ENTRYPOINT ["node", dist/server.js]\n', "ENTRYPOINT is not a JSON array of strings"],
  ['ENTRYPOINT ["/bin/sh", "-c", "node dist/server.js"]\n', 'ENTRYPOINT must be ["node", ...flags, script]'],
])("a Dockerfile the benchmark cannot read is an error naming the file: %j", (text, message) => {
  expect(() => productionNodeFlags(text, "x/Dockerfile")).toThrow(`x/Dockerfile: ${message}`);
});
