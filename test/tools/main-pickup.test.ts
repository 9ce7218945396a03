import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { cloneEnvironment } from "../../tools/env/clone";
import { cleanFolders, REPO, seedFolder } from "./support";

afterAll(cleanFolders);

test("main.ts synthesizes a fresh clone with no other edit (ENVIRONMENTS_DIR on a folder with the clone)", () => {
  const dir = seedFolder();
  cloneEnvironment({ dir, from: "staging", to: "perf-1", gpuScaleToZero: true });
  // Run the real entry point as `cdktf synth` does, in the folder so cdktf.out/ lands there.
  const r = spawnSync(join(REPO, "node_modules/.bin/tsx"), [join(REPO, "main.ts")], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, ENVIRONMENTS_DIR: dir, ENVIRONMENTS: "perf-1" },
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  const stacks = readdirSync(join(dir, "cdktf.out", "stacks"));
  expect(stacks).toContain("perf-1-cluster");
  const cluster = JSON.parse(readFileSync(join(dir, "cdktf.out", "stacks", "perf-1-cluster", "cdk.tf.json"), "utf8")) as {
    terraform: { backend: { s3: { key: string } } };
  };
  expect(cluster.terraform.backend.s3.key).toBe("llm-platform/perf-1/perf-1-cluster.tfstate");
  expect(existsSync(join(dir, "cdktf.out", "stacks", "staging-cluster"))).toBe(false); // ENVIRONMENTS selects perf-1 only
});
