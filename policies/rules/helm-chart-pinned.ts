import { isLocalChart } from "../charts";
import { compliant, nonCompliant, notApplicable, unknownAtPlanTime, type Rule } from "../types";
import { get, stringOf } from "../values";

/** An exact SemVer 2 version (Helm chart versions are SemVer); ranges and wildcards do not match. */
const EXACT_VERSION = /^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$/;

/** LLM-HELM-001: every chart from a repository is pinned to an exact version. */
export const helmChartPinned: Rule = {
  id: "LLM-HELM-001",
  severity: "error",
  title: "Helm charts are pinned to a version",
  rationale: "An unpinned chart installs whatever the repository publishes next, so the same commit deploys different software on different days and a plan cannot show the change.",
  recommendedAction: "Set version to an exact chart version (e.g. \"1.15.1\"), not a range, and bump it in a pull request.",
  appliesTo: ["helm_release"],
  check(resource, context) {
    const chart = stringOf(get(resource, "chart"));
    if (chart === "unknown") return unknownAtPlanTime("chart");
    if (chart === undefined) return nonCompliant("chart is not set");
    const local = context.localChart(chart);
    if (local) return notApplicable(`chart ${local.name}${local.version ? ` ${local.version}` : ""} is kept in this repository and versioned with it`);
    if (isLocalChart(chart)) return nonCompliant(`chart path ${chart} was not found, so what it installs cannot be reviewed`);
    if (/@sha256:[0-9a-f]{64}$/.test(chart)) return compliant("chart pinned by digest");
    const version = stringOf(get(resource, "version"));
    if (version === "unknown") return unknownAtPlanTime("version");
    if (version === undefined || version === "") return nonCompliant(`chart ${chart} has no version (the repository's latest is installed)`);
    if (!EXACT_VERSION.test(version)) return nonCompliant(`chart ${chart} version "${version}" is a range or not a SemVer version`);
    return compliant(`chart ${chart} pinned to ${version}`);
  },
};
