/**
 * The benchmark's peer (bench/data/portkey-facts.json): the installed @portkey-ai/gateway is the version the facts
 * were read from, and its built entry script still handles the flags and headers the benchmark uses (a package
 * update that renamed them would otherwise make the Portkey row measure error answers).
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import facts from "../../bench/data/portkey-facts.json";

const pkgDir = dirname(require.resolve(`${facts.package}/package.json`));

test("the installed package is the version the facts were read from, and the lock pins it", () => {
  const installed = JSON.parse(readFileSync(resolve(pkgDir, "package.json"), "utf8")) as { version: string };
  expect(installed.version).toBe(facts.version);
  const manifest = JSON.parse(readFileSync(resolve(__dirname, "../../package.json"), "utf8")) as { devDependencies?: Record<string, string> };
  expect(manifest.devDependencies?.[facts.package]).toBe(facts.version);
  expect(facts.source).toBe(`Portkey-AI/gateway@v${facts.version}`);
});

test("the built entry script parses the flags and knows the headers the benchmark sends", () => {
  const script = readFileSync(resolve(pkgDir, facts.entry.script), "utf8");
  // Booleans, not toContain: a failure would print the whole 500-KB bundle.
  const has = (needle: string): boolean => script.includes(needle);
  expect(has(`"${facts.flags.port.flag}"`)).toBe(true);
  expect(has(`"${facts.flags.headless.flag}"`)).toBe(true);
  expect(has(`:${facts.flags.port.default}`)).toBe(true);
  // The bundle builds header names from POWERED_BY = "portkey" (src/globals.ts), minified to some variable.
  const poweredBy = /const (\w+)="portkey"/.exec(script)?.[1];
  expect(poweredBy).toBeDefined();
  for (const h of [facts.headers.provider.name, facts.headers.customHost.name]) {
    const suffix = h.replace(/^x-portkey-/, "");
    expect({ header: h, found: has("`x-${" + poweredBy + "}-" + suffix + "`") }).toEqual({ header: h, found: true });
  }
  expect(has(`"${facts.chatPath.path}"`)).toBe(true);
  expect(has(`.get("${facts.readiness.path}"`)).toBe(true);
  expect(has(`"${facts.headers.provider.value}"`)).toBe(true);
});
