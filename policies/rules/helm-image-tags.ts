import { mergedValues, walkObjects } from "../helm-values";
import { compliant, nonCompliant, unknownAtPlanTime, type JsonObject, type Rule } from "../types";
import { isToken } from "../values";

/** Tags that move: they name a branch or channel, not a build. */
const FLOATING = /^(latest|stable|main|master|nightly|edge|dev|develop|head|canary|rolling|release)$/i;
/** A major-only tag ("7", "v1") also moves with every minor release. */
const MAJOR_ONLY = /^v?\d+$/;

/** Why an image tag floats, or undefined when it is pinned. */
export function floatingReason(tag: string): string | undefined {
  if (isToken(tag)) return undefined;
  if (FLOATING.test(tag)) return `tag "${tag}" moves`;
  if (MAJOR_ONLY.test(tag)) return `tag "${tag}" is major-only`;
  return undefined;
}

/** Splits "registry/repo:tag@sha256:..." into its tag and digest. */
export function parseImageRef(ref: string): { tag?: string; digest?: string } {
  const [name, digest] = ref.split("@");
  const lastSlash = name!.lastIndexOf("/");
  const colon = name!.indexOf(":", lastSlash + 1);
  return { tag: colon >= 0 ? name!.slice(colon + 1) : undefined, digest };
}

/** Image settings found in a values tree that float, as "path: reason". */
export function floatingImages(values: JsonObject): string[] {
  const problems: string[] = [];
  for (const { path, node } of walkObjects(values)) {
    const where = path.join(".") || "(root)";
    const isImageObject = typeof node.repository === "string" && ("tag" in node || /image/i.test(path[path.length - 1] ?? ""));
    if (isImageObject) {
      const digest = node.digest;
      if (typeof digest === "string" && digest !== "") continue;
      const tag = node.tag;
      // No tag: the chart falls back to its appVersion, which the chart version pins.
      if (typeof tag === "string" && tag !== "") {
        const reason = floatingReason(tag);
        if (reason) problems.push(`${where}.tag: ${reason}`);
      }
    }
    for (const [key, value] of Object.entries(node)) {
      if (!/^image$/i.test(key) || typeof value !== "string" || isToken(value)) continue;
      const { tag, digest } = parseImageRef(value);
      if (digest) continue;
      if (tag === undefined) problems.push(`${where ? `${where}.` : ""}${key}: "${value}" has no tag (means latest)`);
      else {
        const reason = floatingReason(tag);
        if (reason) problems.push(`${where ? `${where}.` : ""}${key}: ${reason}`);
      }
    }
  }
  return problems;
}

/** LLM-HELM-002: no floating image tags in Helm values. */
export const helmImageTags: Rule = {
  id: "LLM-HELM-002",
  severity: "error",
  title: "No floating image tags in Helm values",
  rationale: "A tag like latest or a major-only tag changes what runs without a plan showing it; a node restart can roll out an untested vLLM or gateway build.",
  recommendedAction: "Pin every image to a release tag (e.g. v0.10.1.1) or a digest (@sha256:...).",
  appliesTo: ["helm_release"],
  check(resource, context) {
    const merged = mergedValues(resource, context);
    if (merged.state === "unknown") return unknownAtPlanTime(merged.what);
    if (merged.state === "invalid") return nonCompliant(merged.message);
    const problems = floatingImages(merged.values);
    if (problems.length > 0) return nonCompliant(problems.join("; "));
    return compliant(`no floating image tags in ${merged.sources}`);
  },
};
