import { ACCELERATOR_LABEL, GPU_RESOURCE } from "../gpu";
import { chartName, mergedValues, walkObjects } from "../helm-values";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type JsonObject, type JsonValue, type PolicyResource, type Rule, type RuleResult } from "../types";
import { at, isObject, items, read, root, stringMapOf, stringOf } from "../values";

/** Charts that run on GPU nodes to enable or watch them, without using a GPU themselves. */
const GPU_INFRA_CHARTS = /device-plugin|gpu-operator|dcgm|node-feature-discovery|node-termination-handler|gpu-feature-discovery/;

/**
 * Charts of this repository that derive the GPU request from another value. vllm-model's deployment template
 * requests and limits `model.tensorParallelSize` GPUs (its helm-unittest suite asserts this).
 */
const GPU_FROM_VALUES: Record<string, (values: JsonObject) => JsonValue | undefined> = {
  "vllm-model": (v) => (isObject(v.model) ? v.model.tensorParallelSize : undefined),
};

const positive = (v: JsonValue | undefined): boolean => Number(v) > 0;

interface ResourcesBlock {
  readonly where: string;
  readonly requests: JsonObject;
  readonly limits: JsonObject;
}

/** Judges the resources blocks of a workload that targets GPU nodes. */
function judgeBlocks(blocks: readonly ResourcesBlock[], derivedGpus: JsonValue | undefined): RuleResult {
  const gpuBlocks = blocks.filter((b) => GPU_RESOURCE in b.requests || GPU_RESOURCE in b.limits);
  const problems: string[] = [];
  for (const b of gpuBlocks) {
    if (!positive(b.limits[GPU_RESOURCE])) problems.push(`${b.where}: limits.${GPU_RESOURCE} is not set to a positive count`);
    else if (GPU_RESOURCE in b.requests && String(b.requests[GPU_RESOURCE]) !== String(b.limits[GPU_RESOURCE])) {
      problems.push(`${b.where}: requests.${GPU_RESOURCE} (${String(b.requests[GPU_RESOURCE])}) differs from limits (${String(b.limits[GPU_RESOURCE])})`);
    }
    if (b.limits.memory === undefined || b.limits.memory === null || b.limits.memory === "") problems.push(`${b.where}: no memory limit`);
  }
  if (gpuBlocks.length === 0) {
    if (derivedGpus === undefined) return nonCompliant(`targets GPU nodes but requests no ${GPU_RESOURCE}`);
    if (!positive(derivedGpus)) return nonCompliant(`GPU count (model.tensorParallelSize) is ${String(derivedGpus)}, expected at least 1`);
    const withMemory = blocks.find((b) => b.limits.memory !== undefined && b.limits.memory !== null && b.limits.memory !== "");
    if (!withMemory) return nonCompliant("the GPU container has no memory limit (resources.limits.memory)");
    return compliant(`requests and limits ${String(derivedGpus)} ${GPU_RESOURCE} (from model.tensorParallelSize), memory limit ${String(withMemory.limits.memory)}`);
  }
  if (problems.length > 0) return nonCompliant(problems.join("; "));
  return compliant(gpuBlocks.map((b) => `${b.where}: ${String(b.limits[GPU_RESOURCE])} ${GPU_RESOURCE}, memory ${String(b.limits.memory)}`).join("; "));
}

function checkRelease(resource: PolicyResource, context: Parameters<Rule["check"]>[1]): RuleResult {
  const chart = chartName(resource, context);
  if (chart && GPU_INFRA_CHARTS.test(chart)) return notApplicable(`${chart} enables GPU nodes without using a GPU`);
  const merged = mergedValues(resource, context);
  if (merged.state === "unknown") return unknownAtPlanTime(merged.what);
  if (merged.state === "invalid") return nonCompliant(merged.message);
  const blocks: ResourcesBlock[] = [];
  let targetsGpu = chart !== undefined && chart in GPU_FROM_VALUES;
  for (const { path, node } of walkObjects(merged.values)) {
    const key = path[path.length - 1];
    if (key === "resources" && (isObject(node.requests) || isObject(node.limits))) {
      blocks.push({ where: path.join("."), requests: isObject(node.requests) ? node.requests : {}, limits: isObject(node.limits) ? node.limits : {} });
      if ((isObject(node.limits) && GPU_RESOURCE in node.limits) || (isObject(node.requests) && GPU_RESOURCE in node.requests)) targetsGpu = true;
    }
    if (key === "nodeSelector" && ACCELERATOR_LABEL in node) targetsGpu = true;
    if (key?.startsWith("[") && path[path.length - 2] === "tolerations" && node.key === GPU_RESOURCE) targetsGpu = true;
  }
  if (!targetsGpu) return notApplicable("does not target GPU nodes");
  const derive = chart ? GPU_FROM_VALUES[chart] : undefined;
  return judgeBlocks(blocks, derive ? derive(merged.values) : undefined);
}

function checkWorkload(resource: PolicyResource): RuleResult {
  const podSpec = at(root(resource), "spec", "template", "spec");
  if (read(podSpec).state === "unknown") return unknownAtPlanTime("spec.template.spec");
  const selector = stringMapOf(read(at(podSpec, "node_selector")));
  let targetsGpu = selector !== undefined && selector !== "unknown" && ACCELERATOR_LABEL in selector.map;
  for (const t of items(at(podSpec, "toleration"))) if (stringOf(read(at(t, "key"))) === GPU_RESOURCE) targetsGpu = true;
  const blocks: ResourcesBlock[] = [];
  for (const [i, c] of items(at(podSpec, "container")).entries()) {
    const res = at(c, "resources");
    if (read(res).state === "unknown") return unknownAtPlanTime(`container[${i}].resources`);
    const requests = read(at(res, "requests"));
    const limits = read(at(res, "limits"));
    if (requests.state === "unknown" || limits.state === "unknown") return unknownAtPlanTime(`container[${i}].resources`);
    const block = {
      where: `container[${i}]`,
      requests: requests.state === "known" && isObject(requests.value) ? requests.value : {},
      limits: limits.state === "known" && isObject(limits.value) ? limits.value : {},
    };
    if (GPU_RESOURCE in block.requests || GPU_RESOURCE in block.limits) targetsGpu = true;
    blocks.push(block);
  }
  if (!targetsGpu) return notApplicable("does not target GPU nodes");
  return judgeBlocks(blocks, undefined);
}

/** LLM-K8S-001: workloads on GPU nodes request GPUs, with limits. */
export const gpuWorkloadResources: Rule = {
  id: "LLM-K8S-001",
  severity: "error",
  title: "GPU workloads request GPUs and have limits",
  rationale: "A pod on a GPU node without an nvidia.com/gpu limit either gets no GPU or shares one unaccounted; without a memory limit one model server can starve its neighbours on the node.",
  recommendedAction: "Set resources.limits[\"nvidia.com/gpu\"] (and equal requests if given) plus resources.limits.memory on every container that runs on GPU nodes.",
  appliesTo: ["helm_release", "kubernetes_deployment", "kubernetes_deployment_v1", "kubernetes_stateful_set", "kubernetes_stateful_set_v1"],
  check(resource, context) {
    return resource.type === "helm_release" ? checkRelease(resource, context) : checkWorkload(resource);
  },
};
