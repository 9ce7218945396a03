/**
 * Static API keys for service clients. The file (a mounted secret) lists keys only by SHA-256 hash, with the
 * principal each maps to. A presented key is hashed and compared with every stored hash in constant time
 * (crypto.timingSafeEqual), so neither the key nor which entry matched leaks through timing.
 *
 * File format (YAML or JSON):
 *   keys:
 *     - id: support-bot
 *       sha256: 9f86d08...   # sha256 hex of the key: `printf %s "$KEY" | sha256sum`
 *       tenant: support
 *       tier: standard
 *       scopes: [chat, models:read]
 *       models: "*"          # or a list of aliases
 *       groups: [support]
 */
import { hash, timingSafeEqual } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import type { Principal } from "../contracts";
import { routeScopes } from "../config/schema";

export const apiKeyFileSchema = z.strictObject({
  keys: z.array(
    z.strictObject({
      id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/),
      sha256: z.string().regex(/^[0-9a-f]{64}$/, "must be 64 lowercase hex characters (a SHA-256 digest)"),
      tenant: z.string().min(1),
      tier: z.string().min(1).default("standard"),
      scopes: z.array(z.enum(routeScopes)).default(["chat", "embeddings", "models:read"]),
      models: z.union([z.literal("*"), z.array(z.string().min(1))]).default("*"),
      groups: z.array(z.string()).default([]),
    }),
  ),
});
export type ApiKeyFile = z.input<typeof apiKeyFileSchema>;

interface StoredKey {
  readonly digest: Buffer;
  readonly principal: Principal;
}

export function sha256Hex(text: string): string {
  return hash("sha256", text, "hex");
}

export class ApiKeyStore {
  private readonly keys: readonly StoredKey[];

  constructor(file: z.output<typeof apiKeyFileSchema>) {
    this.keys = file.keys.map((k) => ({
      digest: Buffer.from(k.sha256, "hex"),
      principal: { subject: `apikey:${k.id}`, tenant: k.tenant, tier: k.tier, groups: k.groups, models: k.models, scopes: k.scopes, method: "api-key" },
    }));
  }

  /** fromFile, or undefined when the file does not exist (only a missing file: unreadable or invalid still throws). */
  static fromFileIfPresent(path: string): ApiKeyStore | undefined {
    try {
      return ApiKeyStore.fromFile(path);
    } catch (e) {
      if (!existsSync(path)) return undefined;
      throw e;
    }
  }

  static fromFile(path: string): ApiKeyStore {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(path, "utf8"));
    } catch (e) {
      throw new Error(`cannot read API key hashes file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message.split("\n")[0]}`);
    }
    const parsed = apiKeyFileSchema.safeParse(doc);
    if (!parsed.success) {
      const i = parsed.error.issues[0];
      throw new Error(`API key hashes file ${path}: ${i ? i.path.join(".") + ": " + i.message : "invalid"}`);
    }
    return new ApiKeyStore(parsed.data);
  }

  get size(): number {
    return this.keys.length;
  }

  /** The principal of a presented key, or undefined. Compares against every entry, always. */
  lookup(presented: string): Principal | undefined {
    // crypto.hash: one call, no Hash object (each Hash is a native object whose weak handle every
    // young-generation GC must process; two per request were ≈ 0.3 ms of every scavenge at 1,000 req/s).
    const digest = hash("sha256", presented, "buffer");
    let found: Principal | undefined;
    for (const k of this.keys) {
      if (timingSafeEqual(digest, k.digest) && found === undefined) found = k.principal;
    }
    return found;
  }
}
