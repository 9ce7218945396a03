/** The config loader: YAML + GATEWAY__ overrides, validated with errors that name the path. */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, applyEnvOverrides, loadConfig } from "../../src/config/load";
import { gatewayConfigSchema } from "../../src/config/schema";

const dir = mkdtempSync(join(tmpdir(), "gwcfg-"));
function file(text: string): string {
  const p = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(p, text);
  return p;
}
const minimal = `models:\n  llama-3-70b: { upstreamModel: llama, upstreams: ["http://vllm-70b:8000"], fallbacks: [mistral-7b] }\n  mistral-7b: { upstreamModel: mistral, upstreams: ["http://vllm-7b:8000"] }\n`;

test("a minimal file gets the production defaults", () => {
  const cfg = loadConfig(file(minimal), {});
  expect(cfg.server.port).toBe(8080);
  expect(cfg.cache.ttlSeconds).toBe(86_400);
  expect(cfg.limits.failureMode).toBe("fail-open");
  expect(cfg.routing.auto.highModel).toBe("llama-3-70b");
  expect(cfg.rag.enabled).toBe(false);
});

test("environment overrides reach nested and hyphenated keys, parsed as YAML", () => {
  const cfg = loadConfig(file(minimal), {
    GATEWAY__SERVER__PORT: "9090",
    GATEWAY__LIMITS__FAILURE_MODE: "fail-closed",
    GATEWAY__MODELS__LLAMA_3_70B__UPSTREAMS: "[http://a:8000, http://b:8000]",
    GATEWAY__CACHE__ENABLED: "false",
    UNRELATED: "x",
  });
  expect(cfg.server.port).toBe(9090);
  expect(cfg.limits.failureMode).toBe("fail-closed");
  expect(cfg.models["llama-3-70b"]?.upstreams).toEqual(["http://a:8000", "http://b:8000"]);
  expect(cfg.cache.enabled).toBe(false);
  expect(applyEnvOverrides({}, { GATEWAY__ROUTING__AUTO__THRESHOLD: "0.5" }).applied).toEqual(["routing.auto.threshold"]);
});

test("errors name every bad path", () => {
  const bad = file(`${minimal}server: { port: 99999 }\nrouting: { auto: { threshold: 2 } }\naliases: { default: nope }\nauth: { jwt: { issuer: x, audience: y, jwksUrl: "http://idp/jwks", algorithms: [HS256] } }\n`);
  let err: ConfigError | undefined;
  try {
    loadConfig(bad, {});
  } catch (e) {
    err = e as ConfigError;
  }
  expect(err).toBeInstanceOf(ConfigError);
  const text = err?.problems.join("\n") ?? "";
  expect(text).toContain("server.port:");
  expect(text).toContain("routing.auto.threshold:");
  expect(text).toContain("auth.jwt.algorithms.0:");
  // Cross-field rules run once the fields themselves are valid.
  expect(() => loadConfig(file(`${minimal}aliases: { default: nope }\n`), {})).toThrow('aliases.default: alias target "nope" is not a key of models');
});

test("a fallback to an unknown model, an external model without a key reference, and inline secrets are rejected", () => {
  const r = gatewayConfigSchema.safeParse({
    models: { a: { upstreamModel: "a", upstreams: ["http://a"], fallbacks: ["b"] }, x: { upstreamModel: "x", upstreams: ["https://api.example"], external: true } },
    redis: { password: "hunter2" },
  });
  expect(r.success).toBe(false);
  const paths = r.error?.issues.map((i) => i.path.join(".")) ?? [];
  expect(paths).toEqual(expect.arrayContaining(["redis", "models.a.fallbacks.0", "models.x.apiKeyEnv"]));
  expect(JSON.stringify(r.error?.issues)).not.toContain("hunter2");
});

test("unreadable and non-YAML files are clear errors", () => {
  expect(() => loadConfig(join(dir, "missing.yaml"), {})).toThrow(/cannot read file: ENOENT/);
  expect(() => loadConfig(file("models: [unclosed"), {})).toThrow(/not valid YAML/);
});

test("server timeouts and connection limits: defaults, the chart's values, and a headers timeout above the request timeout refused", () => {
  const cfg = loadConfig(file(minimal), {});
  expect(cfg.server).toMatchObject({ requestTimeoutMs: 30_000, headersTimeoutMs: 10_000, maxHeaderBytes: 16_384, maxConnections: 8_192, maxJsonDepth: 64 });
  // The chart's default config carries the same values explicitly, and they parse.
  const chart = parseYaml(readFileSync(join(__dirname, "../../../../charts/llm-gateway/values.yaml"), "utf8")) as { config: { server: Record<string, unknown> } };
  const server = gatewayConfigSchema.shape.server.parse(chart.config.server);
  expect(server).toMatchObject({ requestTimeoutMs: cfg.server.requestTimeoutMs, headersTimeoutMs: cfg.server.headersTimeoutMs, maxHeaderBytes: cfg.server.maxHeaderBytes, maxConnections: cfg.server.maxConnections });
  expect(() => loadConfig(file(`${minimal}server: { requestTimeoutMs: 5000, headersTimeoutMs: 6000 }\n`), {})).toThrow(/server\.headersTimeoutMs.*must not exceed server\.requestTimeoutMs/);
  // requestTimeoutMs 0 turns the request timeout off; the headers timeout still holds.
  expect(loadConfig(file(`${minimal}server: { requestTimeoutMs: 0 }\n`), {}).server.headersTimeoutMs).toBe(10_000);
});
