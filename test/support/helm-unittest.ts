/**
 * Runs the charts' helm-unittest suites (charts/<chart>/unittests/*_test.yaml) on machines without helm, over
 * test/support/chart-render.ts. Hand-rolled because helm-unittest is a helm plugin (Go) with no Node equivalent; it
 * covers the subset our suites use and refuses anything else, so a suite cannot pass by using an assertion this
 * does not know: `set` (dotted keys), `template`, `release`, and the assertions equal, notEqual, exists, notExists,
 * contains, notContains, matchRegex, notMatchRegex, isKind, hasDocuments, failedTemplate. As in helm-unittest, the
 * release is RELEASE-NAME in namespace NAMESPACE unless `release` says otherwise, and an assertion holds when it
 * holds for every document of its template. The charts workflow runs the real plugin.
 */
import { isDeepStrictEqual } from "node:util";
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import { RenderError, renderChart, type RenderedDocument } from "./chart-render";

type Assertion = Record<string, Record<string, unknown> | null>;
export interface UnitTest {
  readonly it: string;
  readonly template?: string;
  readonly set?: Record<string, unknown>;
  readonly release?: { name?: string; namespace?: string };
  readonly asserts: Assertion[];
}
export interface Suite { readonly suite: string; readonly templates?: string[]; readonly tests: UnitTest[] }

const KNOWN = new Set(["equal", "notEqual", "exists", "notExists", "contains", "notContains", "matchRegex", "notMatchRegex", "isKind", "hasDocuments", "failedTemplate"]);

export function loadSuite(file: string): Suite {
  return parse(readFileSync(file, "utf8")) as Suite;
}

/** `set` keys are dotted paths ("a.b.c"), as helm's --set. */
export function valuesFromSet(set: Record<string, unknown> = {}): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [dotted, value] of Object.entries(set)) {
    const keys = dotted.split(".");
    let node = out;
    keys.slice(0, -1).forEach((k) => {
      if (typeof node[k] !== "object" || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    });
    node[keys[keys.length - 1]!] = value;
  }
  return out;
}

/** helm-unittest's paths: `a.b[0].c`, `data["config.yaml"]`, `metadata.labels["app.kubernetes.io/name"]`. */
export function pathSegments(path: string): Array<string | number> {
  const segs: Array<string | number> = [];
  const re = /([^.[\]]+)|\[(\d+)\]|\["([^"]*)"\]|\['([^']*)'\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(path)) !== null) {
    const between = path.slice(consumed, m.index);
    if (between !== "" && between !== ".") throw new Error(`unsupported path ${JSON.stringify(path)} near ${JSON.stringify(between)}`);
    consumed = re.lastIndex;
    if (m[1] !== undefined) segs.push(m[1]);
    else if (m[2] !== undefined) segs.push(Number(m[2]));
    else segs.push((m[3] ?? m[4])!);
  }
  if (consumed !== path.length) throw new Error(`unsupported path ${JSON.stringify(path)}`);
  return segs;
}

function lookup(doc: unknown, path: string): { found: boolean; value: unknown } {
  let node: unknown = doc;
  for (const seg of pathSegments(path)) {
    if (node === null || typeof node !== "object" || !(seg in (node as object))) return { found: false, value: undefined };
    node = (node as Record<string | number, unknown>)[seg];
  }
  return { found: true, value: node };
}

function check(kind: string, args: Record<string, unknown>, docs: RenderedDocument[]): string | undefined {
  if (kind === "hasDocuments") return docs.length === args.count ? undefined : `expected ${String(args.count)} documents, got ${docs.length}`;
  if (docs.length === 0) return `no document rendered to assert ${kind} on`;
  for (const { doc } of docs) {
    const at = typeof args.path === "string" ? lookup(doc, args.path) : { found: false, value: undefined };
    const where = String(args.path ?? "");
    switch (kind) {
      case "isKind":
        if (doc?.kind !== args.of) return `kind is ${String(doc?.kind)}, expected ${String(args.of)}`;
        break;
      case "equal":
      case "notEqual":
        if (isDeepStrictEqual(at.value, args.value) !== (kind === "equal")) return `${where} is ${JSON.stringify(at.value)}, ${kind === "equal" ? "expected" : "must not be"} ${JSON.stringify(args.value)}`;
        break;
      case "exists":
      case "notExists":
        if (at.found !== (kind === "exists")) return `${where} ${kind === "exists" ? "does not exist" : "exists"}`;
        break;
      case "contains":
      case "notContains": {
        if (!Array.isArray(at.value)) {
          if (kind === "contains") return `${where} is not a list: ${JSON.stringify(at.value)}`;
          break;
        }
        const has = at.value.some((v) => isDeepStrictEqual(v, args.content));
        if (has !== (kind === "contains")) return `${where} ${kind === "contains" ? "does not contain" : "contains"} ${JSON.stringify(args.content)}: ${JSON.stringify(at.value)}`;
        break;
      }
      case "matchRegex":
      case "notMatchRegex": {
        if (typeof at.value !== "string") return `${where} is not a string: ${JSON.stringify(at.value)}`;
        if (new RegExp(String(args.pattern)).test(at.value) !== (kind === "matchRegex")) return `${where} ${kind === "matchRegex" ? "does not match" : "matches"} /${String(args.pattern)}/: ${JSON.stringify(at.value)}`;
        break;
      }
    }
  }
  return undefined;
}

/** Runs one test of a suite; returns the failures (empty when it passes). */
export function runUnitTest(chartDir: string, chartName: string, suite: Suite, test: UnitTest): string[] {
  for (const a of test.asserts) for (const k of Object.keys(a)) if (!KNOWN.has(k)) throw new Error(`${suite.suite} / ${test.it}: assertion ${k} is not supported by test/support/helm-unittest.ts`);
  let docs: RenderedDocument[] | undefined;
  let renderError: string | undefined;
  try {
    docs = renderChart(chartDir, valuesFromSet(test.set), test.release?.name ?? "RELEASE-NAME", test.release?.namespace ?? "NAMESPACE");
  } catch (e) {
    if (!(e instanceof RenderError)) throw e;
    renderError = e.message;
  }
  const failures: string[] = [];
  for (const a of test.asserts) {
    const [kind, rawArgs] = Object.entries(a)[0]!;
    const args = rawArgs ?? {};
    const template = (args.template as string | undefined) ?? test.template ?? suite.templates?.[0];
    if (kind === "failedTemplate") {
      if (renderError === undefined) failures.push(`failedTemplate: ${template} rendered without error`);
      else if (typeof args.errorMessage === "string" && !renderError.includes(args.errorMessage)) failures.push(`failedTemplate: error ${JSON.stringify(renderError)} lacks ${JSON.stringify(args.errorMessage)}`);
      continue;
    }
    if (renderError !== undefined) {
      failures.push(`${kind}: the chart failed to render: ${renderError}`);
      continue;
    }
    const mine = docs!.filter((d) => d.source === `${chartName}/${template}`);
    const problem = check(kind, args, mine);
    if (problem) failures.push(`${kind} (${template}): ${problem}`);
  }
  return failures;
}
