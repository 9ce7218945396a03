/**
 * Node autoscaling: the Cluster Autoscaler's IAM role (Pod Identity), the tags it discovers and scales the node
 * groups' Auto Scaling groups by (scale from zero included), Terraform leaving the desired size to it, and its
 * release in the platform stack.
 */
import { Testing } from "cdktf";
import { ClusterAutoscaler, CLUSTER_AUTOSCALER_IDENTITY, clusterAutoscalerPolicy } from "../../constructs/cluster-autoscaler";
import { clusterAutoscalerTags } from "../../constructs/private/managed-node-group-props";
import facts from "../../constructs/data/cluster-autoscaler-facts.json";
import { CLUSTER_AUTOSCALER_CHART, CLUSTER_AUTOSCALER_IMAGE_TAGS } from "../../constructs/cluster-autoscaler";
import { SHIPPED_NAMES, resourcesOf, shipped, synthCluster } from "../support/cluster-fixtures";
import { UPSTREAM_FACTS, upstreamReleaseProblems } from "../support/upstream-charts";
import { platformStackOf } from "../platform/fixtures";

describe.each(SHIPPED_NAMES)("%s", (name) => {
  const env = shipped(name);
  const { tf } = synthCluster(env);
  const cluster = `llm-${name}`;

  test("every node group's Auto Scaling group carries the discovery tags and, for scale from zero, its labels, taints and GPUs", () => {
    const tags = resourcesOf(tf, "aws_autoscaling_group_tag").map((t) => [t["autoscaling_group_name"], (t["tag"] as { key: string }).key, (t["tag"] as { value: string }).value] as const);
    for (const [group, spec] of Object.entries(env.nodeGroups)) {
      const mine = tags.filter(([asg]) => String(asg).includes(`aws_eks_node_group.node-groups_${group}_node-group_`));
      const keys = Object.fromEntries(mine.map(([, k, v]) => [k, v]));
      expect(keys).toMatchObject({ "k8s.io/cluster-autoscaler/enabled": "true", [`k8s.io/cluster-autoscaler/${cluster}`]: "owned", "k8s.io/cluster-autoscaler/node-template/label/llm-platform.io/node-group": group });
      if (spec.kind === "gpu") {
        expect(keys).toMatchObject({
          "k8s.io/cluster-autoscaler/node-template/taint/nvidia.com/gpu": "true:NoSchedule",
          "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": spec.accelerator === "a100" ? "8" : "4",
          "k8s.io/cluster-autoscaler/node-template/label/llm-platform.io/accelerator": spec.accelerator,
        });
      } else {
        expect(Object.keys(keys).filter((k) => k.includes("/taint/") || k.includes("/resources/"))).toEqual([]);
      }
      for (const [asg] of mine) expect(asg).toMatch(/\.resources\[0\]\.autoscaling_groups\[0\]\.name\}$/);
    }
  });

  test("Terraform leaves each group's desired size to the autoscaler", () => {
    for (const g of resourcesOf(tf, "aws_eks_node_group")) expect(g["lifecycle"]).toMatchObject({ ignore_changes: ["scaling_config[0].desired_size"] });
  });

  test("the autoscaler's role is bound to kube-system/cluster-autoscaler and may resize only this cluster's groups", () => {
    const assoc = resourcesOf(tf, "aws_eks_pod_identity_association").find((a) => a["service_account"] === CLUSTER_AUTOSCALER_IDENTITY.serviceAccount);
    expect(assoc).toMatchObject({ namespace: "kube-system" });
    const policy = resourcesOf(tf, "aws_iam_role_policy").find((p) => p["name"] === "cluster-autoscaler")!;
    const doc = JSON.parse(String(policy["policy"])) as { Statement: Array<{ Action: string[]; Condition?: unknown }> };
    const writing = doc.Statement.find((s) => s.Action.includes("autoscaling:SetDesiredCapacity"))!;
    expect(writing.Condition).toEqual({ StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${cluster}`]: "owned" } });
    expect(doc.Statement).toEqual(clusterAutoscalerPolicy(cluster));
  });

  test("the platform installs the autoscaler for the cluster, with the image of the cluster's Kubernetes minor", () => {
    const release = platformStackOf(env).releases.find((r) => r.releaseName === "cluster-autoscaler")!;
    expect(release.namespace).toBe("kube-system");
    expect(release.version).toBe("9.59.0");
    expect(release.values).toMatchObject({
      cloudProvider: "aws",
      awsRegion: env.aws.region,
      autoDiscovery: { clusterName: cluster },
      image: { tag: "v1.33.6" },
      rbac: { serviceAccount: { create: true, name: "cluster-autoscaler" } },
      extraArgs: { "balance-similar-node-groups": true, expander: "least-waste", "skip-nodes-with-local-storage": false },
    });
  });
});

test("node-template tags spell taints as Kubernetes does", () => {
  expect(clusterAutoscalerTags("llm-x", { labels: { a: "b" }, taint: [{ key: "dedicated", value: "gpu", effect: "NO_EXECUTE" }], gpus: 2 })).toEqual({
    "k8s.io/cluster-autoscaler/enabled": "true",
    "k8s.io/cluster-autoscaler/llm-x": "owned",
    "k8s.io/cluster-autoscaler/node-template/label/a": "b",
    "k8s.io/cluster-autoscaler/node-template/taint/dedicated": "gpu:NoExecute",
    "k8s.io/cluster-autoscaler/node-template/resources/nvidia.com/gpu": "2",
  });
});

test("a Kubernetes version without a listed autoscaler image is refused naming the field", () => {
  expect(() => new ClusterAutoscaler(Testing.app(), "ca", { environment: "qa", namespace: "kube-system", clusterName: "llm-qa", region: "us-east-1", kubernetesVersion: "1.29" })).toThrow(
    'environment "qa", release "cluster-autoscaler" (chart cluster-autoscaler), cluster.kubernetesVersion: expected a Kubernetes version the autoscaler images are listed for (1.31, 1.32, 1.33, 1.34, 1.35), got "1.29"',
  );
});

describe("against the upstream facts (constructs/data/upstream-charts.json, constructs/data/cluster-autoscaler-facts.json)", () => {
  const release = platformStackOf(shipped("prod")).releases.find((r) => r.releaseName === "cluster-autoscaler")!;
  const chartFacts = UPSTREAM_FACTS.find((f) => f.key === "clusterAutoscaler")!;

  test("the chart is pinned where that version is served", () => {
    expect(CLUSTER_AUTOSCALER_CHART).toEqual({ repository: chartFacts.repository, chart: chartFacts.chart, version: chartFacts.version });
  });

  test("every values key the release sets is one the chart has", () => {
    const synthesized = { environment: "prod", name: release.releaseName, chart: release.chartName, version: release.version, repository: CLUSTER_AUTOSCALER_CHART.repository, values: release.values };
    expect(upstreamReleaseProblems(synthesized)).toEqual([]);
    expect(upstreamReleaseProblems({ ...synthesized, values: { ...release.values, autoDiscovery: { clusterName: "llm-prod", tag: "x" } } })).toHaveLength(1);
  });

  test("every flag is one the autoscaler of the pinned minor has, and the images are the verified tags", () => {
    const args = (release.values as { extraArgs: Record<string, unknown> }).extraArgs;
    for (const flag of Object.keys(args)) expect(facts.extraArgs.flags).toContain(flag);
    expect(facts.extraArgs.expanders).toContain(args["expander"]);
    expect(CLUSTER_AUTOSCALER_IMAGE_TAGS).toEqual(facts.imageTags.byKubernetesMinor);
  });

  test("every image tag is a release tag read upstream (its commit recorded), of its own minor, not older than the last promotion seen", () => {
    const commits = facts.imageTags.tagCommits as Record<string, string>;
    const patch = (tag: string) => Number(tag.split(".")[2]);
    for (const [minor, tag] of Object.entries(CLUSTER_AUTOSCALER_IMAGE_TAGS)) {
      expect(tag.startsWith(`v${minor}.`)).toBe(true);
      expect(commits[`cluster-autoscaler-${tag.slice(1)}`]).toMatch(/^[0-9a-f]{40}$/);
      const promoted = (facts.imageTags.registryPromotion.lastPromotedSeen as Record<string, string>)[minor];
      if (promoted) expect(patch(tag)).toBeGreaterThanOrEqual(patch(promoted));
    }
  });

  test("the IAM policy grants exactly the documented actions", () => {
    expect(clusterAutoscalerPolicy("llm-prod").flatMap((s) => s.Action).sort()).toEqual([...facts.iamActions.actions].sort());
  });

  test("the tags the node groups carry have the documented keys", () => {
    const keys = Object.keys(clusterAutoscalerTags("llm-prod", { labels: { a: "b" }, taint: [{ key: "k", value: "v", effect: "NO_SCHEDULE" }], gpus: 1 }));
    expect(keys.slice(0, 2)).toEqual(facts.awsTags.discovery.map((k) => k.replace("<cluster-name>", "llm-prod")));
    for (const k of keys.slice(2)) expect(facts.awsTags.nodeTemplatePrefixes.some((p) => k.startsWith(p))).toBe(true);
  });
});
