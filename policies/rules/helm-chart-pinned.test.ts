import { plannedResource, runRule, synthResource } from "../testing";
import { helmChartPinned as rule } from "./helm-chart-pinned";

const release = (values: Record<string, string>) => synthResource("helm_release", { name: "r", ...values });

describe(rule.id, () => {
  it("passes an exact version and a digest-pinned OCI chart", () => {
    expect(runRule(rule, release({ chart: "kube-prometheus-stack", repository: "https://prometheus-community.github.io/helm-charts", version: "75.15.1" })).status).toBe("compliant");
    expect(runRule(rule, release({ chart: `oci://ghcr.io/x/chart@sha256:${"a".repeat(64)}` })).status).toBe("compliant");
  });

  it.each([
    [{ chart: "qdrant", repository: "https://qdrant.github.io/qdrant-helm" }, "chart qdrant has no version (the repository's latest is installed)"],
    [{ chart: "qdrant", version: "^1.15.0" }, "chart qdrant version \"^1.15.0\" is a range or not a SemVer version"],
    [{ chart: "qdrant", version: "1.x" }, "chart qdrant version \"1.x\" is a range or not a SemVer version"],
  ])("fails %j", (values, message) => {
    expect(runRule(rule, release(values))).toEqual({ status: "non-compliant", message });
  });

  it("does not apply to charts in this repository (cdktf assets included), but fails a chart path that is not there", () => {
    const local = new Map([["assets/vllm/ABC", { name: "vllm-model", version: "0.1.0", values: {} }]]);
    expect(runRule(rule, release({ chart: "assets/vllm/ABC" }), [], { localCharts: local })).toEqual({ status: "not-applicable", message: "chart vllm-model 0.1.0 is kept in this repository and versioned with it" });
    expect(runRule(rule, release({ chart: "./charts/missing" })).status).toBe("non-compliant");
  });

  it("reports an unknown version", () => {
    expect(runRule(rule, plannedResource("helm_release", { chart: "qdrant" }, { version: true }))).toMatchObject({ unknownAtPlanTime: true });
  });
});
