import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { run } from "../../tools/env/cli";
import { cleanFolders, REPO, seedFolder, snapshotFolder } from "./support";

afterAll(cleanFolders);

function cli(args: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = run(args, (s) => (out += s), (s) => (err += s));
  return { code, out, err };
}

test("clone writes the file, prints the typed changes and the next steps", () => {
  const dir = seedFolder();
  const r = cli(["clone", "--from", "staging", "--to", "perf-1", "--set", "nodeGroups.a100.max=2", "--set", "maxGpus=24", "--dir", dir]);
  expect(r.err).toBe("");
  expect(r.code).toBe(0);
  expect(r.out).toContain("perf-1.yaml (staging → perf-1)");
  expect(r.out).toContain('  network.vpcCidr: "10.20.0.0/16" → "10.0.0.0/16"');
  expect(r.out).toContain("  nodeGroups.a100.max: 1 → 2");
  expect(r.out).toContain("make env-diff A=staging B=perf-1");
  expect(r.out).toContain("npx cdktf diff/deploy perf-1-cluster");
  expect(readFileSync(join(dir, "perf-1.yaml"), "utf8")).toContain("name: perf-1");
});

test("clone refuses to overwrite: exit code 1, message on stderr, the file unchanged", () => {
  const dir = seedFolder();
  expect(cli(["clone", "--from", "staging", "--to", "perf-1", "--dir", dir]).code).toBe(0);
  const before = snapshotFolder(dir);
  const r = cli(["clone", "--from", "dev", "--to", "perf-1", "--dir", dir]);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^env: Environment "perf-1" already exists:\n/);
  expect(snapshotFolder(dir)).toEqual(before);
});

test("--dry-run prints the file and writes nothing", () => {
  const dir = seedFolder();
  const before = snapshotFolder(dir);
  const r = cli(["clone", "--from", "dev", "--to", "try", "--gpu-scale-to-zero", "--dry-run", "--dir", dir]);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/^# try: cloned from dev with `env clone --from dev --to try --gpu-scale-to-zero`/);
  expect(snapshotFolder(dir)).toEqual(before);
});

test("a missing required option or an unknown one is a usage error with a non-zero exit", () => {
  const dir = seedFolder();
  const missing = cli(["clone", "--from", "staging", "--dir", dir]);
  expect(missing.code).not.toBe(0);
  expect(missing.err).toContain("required option '--to <env>' not specified");
  expect(cli(["clone", "--from", "staging", "--to", "x", "--colour", "red", "--dir", dir]).code).not.toBe(0);
  expect(existsSync(join(dir, "x.yaml"))).toBe(false);
});

test("diff prints a header and one line per typed difference", () => {
  const r = cli(["diff", "staging", "prod", "--dir", join(REPO, "environments")]);
  expect(r.code).toBe(0);
  const lines = r.out.trimEnd().split("\n");
  expect(lines[0]).toMatch(/^staging → prod: \d+ differences$/);
  expect(lines).toContain("nodeGroups.a100.desired: 1 → 2");
  expect(Number(/: (\d+) differences/.exec(lines[0]!)![1])).toBe(lines.length - 1);
  expect(cli(["diff", "dev", "dev", "--dir", join(REPO, "environments")]).out).toBe("dev → dev: no differences\n");
});

test("the CLI entry point (as `make env-clone` runs it) exits 1 on an unknown source and writes nothing", () => {
  const dir = seedFolder();
  const before = snapshotFolder(dir);
  const r = spawnSync(join(REPO, "node_modules/.bin/tsx"), [join(REPO, "tools/env/cli.ts"), "clone", "--from", "nope", "--to", "x", "--dir", dir], {
    cwd: REPO,
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toContain('env: Unknown source environment "nope":\n  --from: expected one of dev, prod, staging');
  expect(snapshotFolder(dir)).toEqual(before);
});
