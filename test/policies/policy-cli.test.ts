/** `make policy`: the check CLI over synthesized output, its summary line and exit codes. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { main } from "../../policies/cli";

const ENVIRONMENTS = join(__dirname, "..", "..", "policies", "fixtures", "environments");

function run(args: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(args, { out: (t) => (out += t), err: (t) => (err += t) });
  return { code, out, err };
}

/** A one-stack cdktf output folder. */
function synthDir(stack: string, doc: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), "policy-cli-"));
  mkdirSync(join(dir, "stacks", stack), { recursive: true });
  writeFileSync(join(dir, "stacks", stack, "cdk.tf.json"), typeof doc === "string" ? doc : JSON.stringify(doc));
  return dir;
}

const TAGS = { owner: "o", "cost-center": "c", environment: "prod" };
const stack = (httpTokens: string) => ({
  terraform: { backend: { s3: { bucket: "b", key: "k", region: "us-east-1", encrypt: true, use_lockfile: true } } },
  provider: { aws: [{ default_tags: [{ tags: TAGS }] }] },
  resource: { aws_launch_template: { lt: { metadata_options: { http_tokens: httpTokens, http_put_response_hop_limit: 1 }, block_device_mappings: [{ device_name: "/dev/xvda", ebs: { encrypted: "true" } }] } } },
});

describe("policy check CLI", () => {
  const dirs: string[] = [];
  afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("exits 0 and prints the summary line when every rule passes", () => {
    const dir = synthDir("prod-cluster", stack("required"));
    dirs.push(dir);
    const r = run(["check", "--synth", dir, "--environments", ENVIRONMENTS]);
    expect(r.code).toBe(0);
    // launch template: IMDSv2, root volume, tags; backend: state. 4 passed.
    expect(r.out.trimEnd().split("\n").pop()).toBe("4 passed, 0 failed");
  });

  it("exits 1 on an error-level finding and names rule, resource and fix", () => {
    const dir = synthDir("prod-cluster", stack("optional"));
    dirs.push(dir);
    const r = run(["check", "--synth", dir, "--environments", ENVIRONMENTS]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("ERROR   LLM-EC2-001 aws_launch_template.lt: metadata_options.http_tokens = \"optional\" (IMDSv1 stays available)");
    expect(r.out.trimEnd().split("\n").pop()).toBe("3 passed, 1 failed");
  });

  it("exits 2 for a missing folder, an empty one and malformed JSON", () => {
    expect(run(["check", "--synth", "/nonexistent/cdktf.out", "--environments", ENVIRONMENTS]).code).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), "policy-cli-empty-"));
    dirs.push(empty);
    expect(run(["check", "--synth", empty, "--environments", ENVIRONMENTS]).err).toContain("found none");
    const broken = synthDir("dev-cluster", "{not json");
    dirs.push(broken);
    const r = run(["check", "--synth", broken, "--environments", ENVIRONMENTS]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/stacks\/dev-cluster\/cdk\.tf\.json: malformed JSON/);
  });
});
