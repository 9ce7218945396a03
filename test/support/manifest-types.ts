/**
 * Checks manifests against the Kubernetes API's TypeScript types (kubernetes-models, and the prometheus-operator and
 * KEDA models for their resources) with the TypeScript compiler: each manifest becomes an object literal assigned
 * to its kind's interface, so TypeScript's excess-property check refuses unknown fields at any depth (a misspelt
 * `readinesProbe`), and its type check wrong types and missing required fields. This is the part of
 * `kubeconform -strict` (run by the charts workflow) that the API's JSON schemas leave open.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import ts from "typescript";

const REPO = join(__dirname, "..", "..");

/** The packages of the custom resources' models, by apiVersion (shared with validate-manifests.mjs). */
const MODULES = JSON.parse(readFileSync(join(__dirname, "k8s-model-modules.json"), "utf8")) as Record<string, string>;

export interface LabelledManifest {
  /** Where the manifest came from, for messages ("dev llm-gateway Deployment/llm-gateway"). */
  readonly label: string;
  readonly doc: { apiVersion?: unknown; kind?: unknown };
}

/** The problems TypeScript finds, each prefixed by its manifest's label. */
export function typeCheckManifests(manifests: readonly LabelledManifest[]): string[] {
  const problems: string[] = [];
  const modules = new Map<string, string>(); // module → alias
  const lines: string[] = [];
  const lineLabel: string[] = [];
  manifests.forEach(({ label, doc }) => {
    const apiVersion = String(doc.apiVersion ?? "");
    const kind = String(doc.kind ?? "");
    if (!/^[A-Za-z]+$/.test(kind) || !/^([a-z0-9.-]+\/)?v\d+(alpha\d+|beta\d+)?$/.test(apiVersion)) {
      problems.push(`${label}: no type for apiVersion ${apiVersion} kind ${kind}`);
      return;
    }
    const module = MODULES[apiVersion] ?? `kubernetes-models/${apiVersion}`;
    if (!modules.has(module)) modules.set(module, `M${modules.size}`);
    lines.push(`export const m${lines.length}: ${modules.get(module)}.I${kind} = ${JSON.stringify(doc)};`);
    lineLabel.push(label);
  });
  const header = [...modules].map(([module, alias]) => `import type * as ${alias} from ${JSON.stringify(module)};`);
  const dir = join(REPO, "node_modules", ".cache", "manifest-types");
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `check-${process.pid}.ts`);
  writeFileSync(file, [...header, ...lines].join("\n") + "\n");
  const program = ts.createProgram([file], {
    strict: true,
    noEmit: true,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    target: ts.ScriptTarget.ES2022,
    skipLibCheck: true,
    types: [],
  });
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, " ");
    if (!d.file || d.start === undefined) {
      problems.push(message);
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line - header.length;
    problems.push(`${lineLabel[line] ?? `line ${line}`}: ${message}`);
  }
  return problems;
}
