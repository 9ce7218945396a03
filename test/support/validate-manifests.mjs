// Validates Kubernetes manifests against the API's schemas (kubernetes-models: Kubernetes 1.27 OpenAPI; the
// prometheus-operator and KEDA models for their custom resources). An ES module because those packages are ESM
// only, so Jest's CommonJS tests run it as a child process: JSON array of manifests on stdin, JSON array of
// problems ({ index, kind, name, message }) on stdout. Types, enums and required fields are checked; unknown fields
// are not (the API's schemas allow them; the charts workflow's kubeconform -strict refuses them).
import { readFileSync } from "node:fs";

/** The packages of the custom resources' models, by apiVersion (shared with manifest-types.ts). */
const CUSTOM = JSON.parse(readFileSync(new URL("./k8s-model-modules.json", import.meta.url), "utf8"));

let input = "";
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const [index, doc] of JSON.parse(input).entries()) {
  const where = { index, kind: doc?.kind, name: doc?.metadata?.name };
  const module = CUSTOM[doc?.apiVersion] ?? `kubernetes-models/${doc?.apiVersion}`;
  let Model;
  try {
    Model = (await import(module))[doc.kind];
  } catch {
    Model = undefined;
  }
  if (!Model) {
    problems.push({ ...where, message: `no schema for apiVersion ${doc?.apiVersion} kind ${doc?.kind}` });
    continue;
  }
  try {
    new Model(doc).validate();
  } catch (e) {
    problems.push({ ...where, message: e.message });
  }
}
process.stdout.write(JSON.stringify(problems));
