import { writeFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { diffEnvironments, formatChanges, loadForDiff } from "../../tools/env/diff";
import { cleanFolders, seedFolder, SHIPPED } from "./support";

afterAll(cleanFolders);

describe("diffEnvironments", () => {
  const staging = loadForDiff(SHIPPED, "staging");
  const prod = loadForDiff(SHIPPED, "prod");

  test("an environment has no differences with itself", () => {
    expect(diffEnvironments(staging, staging)).toEqual([]);
  });

  test("staging → prod lists typed changes by field path, after defaults", () => {
    const lines = formatChanges(diffEnvironments(staging, prod));
    expect(lines).toContain("nodeGroups.a100.desired: 1 → 2");
    expect(lines).toContain('aws.accountId: "123456789012" → "210987654321"');
    expect(lines).toContain('network.natGateways: "single" → "one-per-az"');
    // A default on one side (staging's logRetentionDays) compared with a written value.
    expect(lines).toContain("cluster.logRetentionDays: 90 → 365");
    // Fields present on one side only.
    expect(lines).toContain('cluster.endpoint.cidrs: ["203.0.113.0/24"] → (unset)');
    expect(lines).toContain('platform.gateway.ingressHost: (unset) → "llm.prod.example.com"');
    // Models are matched by name.
    expect(lines).toContain("models[mistral-7b].replicas: 2 → 4");
    // Equal fields are not listed.
    expect(lines.filter((l) => /^(tags|stateBackend\.bucket|cluster\.kubernetesVersion)/.test(l))).toEqual([]);
  });

  test("reordering models is not a difference; renaming one is an add and a remove", () => {
    const dir = seedFolder();
    const text = readFileSync(join(dir, "staging.yaml"), "utf8");
    const models = /models:\n([\s\S]*?)platform:/.exec(text)![1]!;
    const [first, second] = models.split(/(?=  - name:)/);
    writeFileSync(join(dir, "reordered.yaml"), text.replace(models, `${second}${first}`).replace("name: staging", "name: reordered"));
    const reordered = loadForDiff(dir, "reordered");
    expect(formatChanges(diffEnvironments(staging, reordered))).toEqual(['name: "staging" → "reordered"']);

    writeFileSync(join(dir, "renamed.yaml"), text.replace("name: mistral-7b", "name: mistral-7b-v3").replace("name: staging", "name: renamed"));
    const lines = formatChanges(diffEnvironments(staging, loadForDiff(dir, "renamed")));
    expect(lines).toContainEqual(expect.stringMatching(/^models\[mistral-7b\]: \{.*"name":"mistral-7b".*\} → \(unset\)$/));
    expect(lines).toContainEqual(expect.stringMatching(/^models\[mistral-7b-v3\]: \(unset\) → \{/));
  });

  test("an invalid or missing environment is an error naming the file and field", () => {
    const dir = seedFolder();
    writeFileSync(join(dir, "bad.yaml"), readFileSync(join(dir, "dev.yaml"), "utf8").replace("name: dev", "name: bad").replace("max: 3", "max: many"));
    expect(() => loadForDiff(dir, "bad")).toThrow(/Cannot diff bad:\n  .*bad\.yaml: nodeGroups\.system\.max: /);
    expect(() => loadForDiff(dir, "ghost")).toThrow(/Cannot diff ghost:\n  .*ghost\.yaml: environment file not found/);
  });
});
