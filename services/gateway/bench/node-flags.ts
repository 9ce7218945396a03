/**
 * The node flags the production image runs the gateway with, read from its Dockerfile's ENTRYPOINT (exec form:
 * ["node", ...flags, "dist/server.js"]), so the benchmark measures the process that is deployed.
 */
export function productionNodeFlags(dockerfile: string, path = "services/gateway/Dockerfile"): string[] {
  const m = /^ENTRYPOINT\s+(\[.*\])\s*$/m.exec(dockerfile);
  if (!m) throw new Error(`${path}: no ENTRYPOINT in exec form (["node", ...])`);
  let argv: unknown;
  try {
    argv = JSON.parse(m[1] as string);
  } catch {
    throw new Error(`${path}: ENTRYPOINT is not a JSON array of strings`);
  }
  if (!Array.isArray(argv) || argv[0] !== "node" || !argv.every((a) => typeof a === "string")) {
    throw new Error(`${path}: ENTRYPOINT must be ["node", ...flags, script]`);
  }
  return (argv as string[]).slice(1).filter((a) => a.startsWith("--"));
}
