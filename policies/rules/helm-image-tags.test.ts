import fc from "fast-check";
import { plannedResource, runRule, synthResource } from "../testing";
import { floatingImages, floatingReason, helmImageTags as rule } from "./helm-image-tags";

const release = (values: string[], extra: Record<string, unknown> = {}) => synthResource("helm_release", { chart: "x", version: "1.0.0", values, ...extra } as never);

describe(rule.id, () => {
  it("passes release tags and digests", () => {
    const r = release(["image:\n  repository: vllm/vllm-openai\n  tag: v0.10.1.1\nsidecar:\n  image: busybox:1.36.1\nexporter:\n  image: nvcr.io/dcgm@sha256:abc\n"]);
    expect(runRule(rule, r).status).toBe("compliant");
  });

  it("fails latest, a major-only tag and an untagged image string", () => {
    const r = release(["image:\n  repository: vllm/vllm-openai\n  tag: latest\n", "sidecar:\n  image: busybox\nredis:\n  image:\n    repository: redis\n    tag: \"7\"\n"]);
    expect(runRule(rule, r).message).toBe('image.tag: tag "latest" moves; sidecar.image: "busybox" has no tag (means latest); redis.image.tag: tag "7" is major-only');
  });

  it("sees a floating tag set through `set`, and later values overriding earlier ones", () => {
    expect(runRule(rule, release(["image:\n  repository: a\n  tag: 1.2.3\n"], { set: [{ name: "image.tag", value: "main" }] })).status).toBe("non-compliant");
    expect(runRule(rule, release(["image:\n  repository: a\n  tag: latest\n", "image:\n  tag: 1.2.3\n"])).status).toBe("compliant");
  });

  it("fails values that are not YAML", () => {
    expect(runRule(rule, release(["image: [unclosed"])).message).toMatch(/^values\[0\] is not valid YAML/);
  });

  it("reports values unknown at plan time", () => {
    expect(runRule(rule, plannedResource("helm_release", { chart: "x", values: [] }, { values: [true] }))).toMatchObject({ unknownAtPlanTime: true });
  });

  it("never calls a tag with a patch version floating (property)", () => {
    fc.assert(
      fc.property(fc.nat(99), fc.nat(99), fc.nat(99), fc.boolean(), (a, b, c, v) => floatingReason(`${v ? "v" : ""}${a}.${b}.${c}`) === undefined),
    );
    fc.assert(fc.property(fc.constantFrom("latest", "LATEST", "main", "stable", "nightly"), (t) => floatingImages({ image: { repository: "r", tag: t } }).length === 1));
  });
});
