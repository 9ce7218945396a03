/**
 * The pods the cluster's EKS managed add-ons run (vpc-cni, kube-proxy, eks-pod-identity-agent, coredns, EBS CSI),
 * with the requests their upstream manifests set, for the scheduling check: they take node capacity before any
 * release does. EKS builds these add-ons from the upstream projects; each number names the file it was read from.
 */
import type { ReleaseWorkloads } from "./scheduling-check";
import type { Workload } from "./workloads";

const EVERY_TAINT = [{ operator: "Exists" as const }];

/** The add-ons' workloads, as one pseudo-release named eks-addons. */
export const EKS_ADDON_WORKLOADS: readonly Workload[] = [
  // aws/amazon-vpc-cni-k8s@v1.23.0:charts/aws-vpc-cni/values.yaml (resources.requests.cpu 25m; tolerates every taint).
  { name: "aws-node", kind: "DaemonSet", requests: { cpu: "25m", memory: "0" }, tolerations: EVERY_TAINT },
  // EKS's kube-proxy add-on: 100m CPU, no memory request, from a dump of its v1.28 DaemonSet; not verified for the pinned
  // versions (constructs/data/eks-addon-versions.json workloadRequests names the evidence).
  { name: "kube-proxy", kind: "DaemonSet", requests: { cpu: "100m", memory: "0" }, tolerations: EVERY_TAINT },
  // aws/eks-pod-identity-agent@v0.1.37:charts/eks-pod-identity-agent/values.yaml (resources: {}).
  { name: "eks-pod-identity-agent", kind: "DaemonSet", requests: { cpu: "0", memory: "0" }, tolerations: EVERY_TAINT },
  // kubernetes-sigs/aws-ebs-csi-driver@helm-chart-aws-ebs-csi-driver-2.64.0:charts/aws-ebs-csi-driver/values.yaml:
  // node.resources 10m/40Mi for each of its 3 containers (tolerateAllTaints); controller.resources 10m/40Mi for each
  // of its 6 containers (sidecars default to it), replicaCount 2.
  { name: "ebs-csi-node", kind: "DaemonSet", requests: { cpu: "30m", memory: "120Mi" }, tolerations: EVERY_TAINT },
  { name: "ebs-csi-controller", kind: "Deployment", replicas: 2, surge: 1, requests: { cpu: "60m", memory: "240Mi" }, tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] },
  // coredns/deployment@7853d4a:kubernetes/coredns.yaml.sed (100m, 70Mi); EKS runs 2 replicas.
  { name: "coredns", kind: "Deployment", replicas: 2, surge: 1, requests: { cpu: "100m", memory: "70Mi" }, tolerations: [{ key: "CriticalAddonsOnly", operator: "Exists" }] },
];

/** The add-ons as a release for checkScheduling. */
export const EKS_ADDONS_RELEASE: ReleaseWorkloads = { releaseName: "eks-addons", chartName: "EKS managed add-ons", workloads: EKS_ADDON_WORKLOADS };
