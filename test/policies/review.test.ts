/**
 * The review of hand-written plan fixtures (policies/fixtures/plans), checked line by line, and the review CLI's
 * exit codes for findings and for bad input.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/review-cli";

const FIXTURES = join(__dirname, "..", "..", "policies", "fixtures");
const ENVIRONMENTS = join(FIXTURES, "environments");

function run(args: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

describe("review of the pr-gpu-scale-up fixture plans", () => {
  const result = run([join(FIXTURES, "plans", "pr-gpu-scale-up"), "--environments", ENVIRONMENTS]);

  it("exits 1: error-level findings fail the review", () => {
    expect(result.code).toBe(1);
    expect(result.err).toBe("");
  });

  it("renders the report line by line", () => {
    expect(result.out.split("\n")).toEqual([
      "<!-- llm-platform-plan-review -->",
      "# Plan review",
      "",
      "**Result: FAIL**: 6 findings at or above error in 2 stack(s).",
      "",
      "## Stateful resources destroyed or replaced",
      "",
      "- **REPLACE** `aws_eks_node_group.l40s` in prod-cluster: EKS node group; forced by instance_types",
      "- **DESTROY** `aws_s3_bucket.models` in prod-cluster: S3 bucket",
      "- **REPLACE** `helm_release.qdrant` in prod-platform: Qdrant release (vector data); forced by namespace",
      "- **DESTROY** `kubernetes_persistent_volume_claim_v1.qdrant_snapshots` in prod-platform: persistent volume claim",
      "",
      "Stacks: prod-cluster, prod-platform. Prices: us-east-1, taken 2025-06-01 (policies/data/prices.json).",
      "",
      "## prod-cluster",
      "",
      "| Add | Change | Replace | Destroy |",
      "|----:|-------:|--------:|--------:|",
      "| 2 | 3 | 1 | 1 |",
      "",
      "### Cost and GPU capacity",
      "",
      "- -2 cache.r7g.large: -$319.74/month",
      "- +2 cache.r7g.xlarge: +$638.02/month",
      "- -1 g6e.12xlarge spot: -$3,063.88/month",
      "- +1 g6e.12xlarge spot (cheapest of g6e.12xlarge, g6e.24xlarge): +$3,063.88/month",
      "- +1 p4d.24xlarge on-demand: +$23,924.00/month",
      "- Net change: +$24,242.28/month",
      "- GPUs at desired size: 20 -> 28 (+8); at max size: 32 -> 32",
      "",
      "### Findings",
      "",
      "Rule evaluations: 15 passed, 4 failed, 0 below --fail-on error, 4 not applicable.",
      "",
      "#### Errors (4)",
      "",
      "- **LLM-EC2-001** IMDSv2 with hop limit 1 is required on every launch template: `aws_launch_template.a100`: metadata_options.http_tokens = \"optional\" (IMDSv1 stays available). Fix: Set metadata_options { http_tokens = \"required\", http_put_response_hop_limit = 1 } on the launch template.",
      "- **LLM-TAG-001** Taggable AWS resources carry owner, cost-center and environment tags: `aws_kms_key.models`: unknown at plan time: tags_all will be known after apply, so compliance cannot be shown. Fix: Set the tags in the AWS provider's default_tags (the cluster stack does, from the environment file's tags), or on the resource.",
      "- **LLM-NET-001** No security group ingress from 0.0.0.0/0 except to load balancers on 443: `aws_vpc_security_group_ingress_rule.redis_debug`: rule: ingress from 0.0.0.0/0 on tcp 6379-6379. Fix: Restrict the rule's source to a security group or private CIDR; for public traffic put a load balancer in front and open only tcp/443 on its security group.",
      "- **LLM-TAG-001** Taggable AWS resources carry owner, cost-center and environment tags: `aws_vpc_security_group_ingress_rule.redis_debug`: unknown at plan time: tags_all will be known after apply, so compliance cannot be shown. Fix: Set the tags in the AWS provider's default_tags (the cluster stack does, from the environment file's tags), or on the resource.",
      "",
      "#### Warnings (0)",
      "",
      "None.",
      "",
      "#### Info (0)",
      "",
      "None.",
      "",
      "### Changes",
      "",
      "- add `aws_kms_key.models`",
      "- add `aws_vpc_security_group_ingress_rule.redis_debug`",
      "- change `aws_eks_node_group.a100` (scaling_config)",
      "- change `aws_launch_template.a100` (latest_version, metadata_options)",
      "- change `aws_elasticache_replication_group.redis` (node_type)",
      "- replace `aws_eks_node_group.l40s` (forced by instance_types)",
      "- destroy `aws_s3_bucket.models`",
      "",
      "## prod-platform",
      "",
      "| Add | Change | Replace | Destroy |",
      "|----:|-------:|--------:|--------:|",
      "| 1 | 1 | 1 | 1 |",
      "",
      "### Cost and GPU capacity",
      "",
      "- No priced capacity changes.",
      "- GPUs at desired size: 0 -> 0 (+0); at max size: 0 -> 0",
      "",
      "### Findings",
      "",
      "Rule evaluations: 6 passed, 2 failed, 0 below --fail-on error, 7 not applicable.",
      "",
      "#### Errors (2)",
      "",
      "- **LLM-HELM-002** No floating image tags in Helm values: `helm_release.llama_3_70b`: image.tag: tag \"latest\" moves. Fix: Pin every image to a release tag (e.g. v0.10.1.1) or a digest (@sha256:...).",
      "- **LLM-HELM-001** Helm charts are pinned to a version: `helm_release.nvidia_device_plugin`: chart nvidia-device-plugin version \"~0.17\" is a range or not a SemVer version. Fix: Set version to an exact chart version (e.g. \"1.15.1\"), not a range, and bump it in a pull request.",
      "",
      "#### Warnings (0)",
      "",
      "None.",
      "",
      "#### Info (0)",
      "",
      "None.",
      "",
      "### Changes",
      "",
      "- add `helm_release.nvidia_device_plugin`",
      "- change `helm_release.llama_3_70b` (values)",
      "- replace `helm_release.qdrant` (forced by namespace)",
      "- destroy `kubernetes_persistent_volume_claim_v1.qdrant_snapshots`",
      "",
    ]);
  });

  it("never prints a secret the plan carries (the Redis AUTH token in before/after)", () => {
    const plan = readFileSync(join(FIXTURES, "plans", "pr-gpu-scale-up", "prod-cluster.json"), "utf8");
    expect(plan).toContain("fixture-secret-do-not-print-3f9a");
    expect(result.out).not.toContain("fixture-secret-do-not-print-3f9a");
  });
});

describe("review levels and output", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "review-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("passes a clean plan with exit 0 and writes the report to --output", () => {
    const out = join(dir, "review.md");
    const r = run([join(FIXTURES, "plans", "clean"), "--environments", ENVIRONMENTS, "--output", out]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    const md = readFileSync(out, "utf8").split("\n");
    expect(md.slice(0, 4)).toEqual(["<!-- llm-platform-plan-review -->", "# Plan review", "", "**Result: PASS**: no finding at or above error."]);
    expect(md).toContain("- +2 m7i.large on-demand: +$147.16/month");
  });

  it("fails on a warning only with --fail-on warning, and hides info with --show warning", () => {
    const plan = JSON.parse(readFileSync(join(FIXTURES, "plans", "clean", "dev-cluster.json"), "utf8")) as { resource_changes: Array<{ change: { after: Record<string, unknown> } }> };
    // An L40S group on one instance type: a warning (LLM-GPU-003), nothing at error level.
    Object.assign(plan.resource_changes[1]!.change.after, { instance_types: ["g6e.12xlarge"], capacity_type: "SPOT", taint: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }] });
    writeFileSync(join(dir, "dev-cluster.json"), JSON.stringify(plan));
    expect(run([dir, "--environments", ENVIRONMENTS]).code).toBe(0);
    const strict = run([dir, "--environments", ENVIRONMENTS, "--fail-on", "warning", "--show", "warning"]);
    expect(strict.code).toBe(1);
    expect(strict.out).toContain("#### Warnings (1)");
    expect(strict.out).not.toContain("#### Info");
    expect(strict.out).toContain("- +2 g6e.12xlarge spot: +$6,127.76/month");
    expect(strict.out).toContain("- GPUs at desired size: 0 -> 8 (+8); at max size: 0 -> 12");
  });
});

describe("bad input: exit 2, a message naming the file and field, never a clean report", () => {
  const bad = (name: string) => join(FIXTURES, "bad", name);

  it.each([
    ["malformed", /prod-cluster\.json: malformed JSON: /],
    ["unsupported-version", /prod-cluster\.json: format_version: unsupported "2\.0"; expected 1\.x/],
    ["missing-fields", /prod-cluster\.json: resource_changes\[0\]\.change\.actions: /],
    ["bad-actions", /prod-cluster\.json: resource_changes\[0\] \(aws_s3_bucket\.models\)\.change\.actions: expected one of create, update, delete/],
  ])("%s", (name, message) => {
    const r = run([bad(name)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(message);
    expect(r.out).toBe("");
  });

  it("a folder with no plans, and one that does not exist", () => {
    const empty = mkdtempSync(join(tmpdir(), "review-empty-"));
    try {
      const r = run([empty]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("expected at least one plan file (*.json, one per stack); found none");
    } finally {
      rmSync(empty, { recursive: true });
    }
    expect(run([join(FIXTURES, "no-such-folder")]).code).toBe(2);
  });

  it("a plan missing format_version or resource_changes", () => {
    const dir = mkdtempSync(join(tmpdir(), "review-missing-"));
    try {
      writeFileSync(join(dir, "a.json"), JSON.stringify({ terraform_version: "1.11.4", resource_changes: [] }));
      expect(run([dir]).err).toContain("a.json: format_version: missing");
      writeFileSync(join(dir, "a.json"), JSON.stringify({ format_version: "1.2", terraform_version: "1.11.4" }));
      const r = run([dir]);
      expect(r.code).toBe(2);
      expect(r.err).toContain("a.json: resource_changes: missing");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("writes an error report, not a clean one, to --output", () => {
    const dir = mkdtempSync(join(tmpdir(), "review-out-"));
    try {
      mkdirSync(join(dir, "plans"));
      const out = join(dir, "review.md");
      expect(run([join(dir, "plans"), "--output", out]).code).toBe(2);
      const md = readFileSync(out, "utf8");
      expect(md).toContain("**Result: ERROR**: the plans could not be reviewed");
      expect(md).not.toContain("PASS");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("rejects an unknown --fail-on level", () => {
    const r = run([join(FIXTURES, "plans", "clean"), "--fail-on", "critical"]);
    expect(r.code).toBe(2);
    expect(r.err).toContain("expected one of error, warning, info");
  });
});
