/**
 * Loads the gateway config: one YAML file, then environment overrides, validated with the zod schema. Any
 * problem is one ConfigError listing every bad field by its path ("routing.auto.threshold: ...").
 *
 * Overrides: `GATEWAY__SERVER__PORT=8080` sets server.port. Segments are matched case-insensitively against
 * existing keys ignoring `-` and `_` (so `GATEWAY__MODELS__LLAMA_3_70B__UPSTREAMS` reaches models.llama-3-70b),
 * otherwise SNAKE_CASE becomes camelCase. Values are parsed as YAML scalars/flow collections, so numbers,
 * booleans and `[a, b]` lists work.
 */
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import { gatewayConfigSchema, type GatewayConfig } from "./schema";

export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid gateway config (${source}):\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

type Json = Record<string, unknown>;
const PREFIX = "GATEWAY__";

const normalize = (s: string): string => s.toLowerCase().replace(/[-_]/g, "");
const camel = (s: string): string => s.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** Applies GATEWAY__A__B=value overrides to a parsed document (returns a new object). */
export function applyEnvOverrides(doc: Json, env: NodeJS.ProcessEnv): { doc: Json; applied: string[] } {
  const out = structuredClone(doc);
  const applied: string[] = [];
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(PREFIX) || raw === undefined) continue;
    const segments = name.slice(PREFIX.length).split("__").filter(Boolean);
    if (segments.length === 0) continue;
    let node: Json = out;
    const path: string[] = [];
    segments.forEach((seg, i) => {
      const existing = Object.keys(node).find((k) => normalize(k) === normalize(seg));
      const key = existing ?? camel(seg);
      path.push(key);
      if (i === segments.length - 1) {
        node[key] = parseYaml(raw) as unknown;
      } else {
        const next = node[key];
        if (next === null || typeof next !== "object" || Array.isArray(next)) node[key] = {};
        node = node[key] as Json;
      }
    });
    applied.push(path.join("."));
  }
  return { doc: out, applied };
}

/** Renders zod issues as "path: message" lines. */
export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`);
}

/** Validates an already-parsed document (used by tests and by the chart's synth-time check). */
export function parseConfig(doc: unknown, source = "config"): GatewayConfig {
  const result = gatewayConfigSchema.safeParse(doc ?? {});
  if (!result.success) throw new ConfigError(source, formatIssues(result.error));
  return result.data;
}

/** Reads the YAML file, applies environment overrides and validates. */
export function loadConfig(file: string, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new ConfigError(file, [`cannot read file: ${(e as NodeJS.ErrnoException).code ?? String(e)}`]);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid YAML: ${(e as Error).message.split("\n")[0]}`]);
  }
  if (doc !== null && doc !== undefined && (typeof doc !== "object" || Array.isArray(doc))) {
    throw new ConfigError(file, ["(root): expected a mapping"]);
  }
  const { doc: merged } = applyEnvOverrides((doc ?? {}) as Json, env);
  return parseConfig(merged, file);
}
