/**
 * Synthesis benchmark (not a test): wall time and peak memory of the cdktf app (`node dist/main.js`, what
 * `cdktf synth` runs) for the shipped environments and for 10, 25 and 50 generated environments, each in a
 * temporary folder with its own working directory and cdktf.out. Prints a Markdown table and adds it to the
 * "Synthesis" section of bench/RESULTS.md with a description of the machine.
 *
 *   npx tsx bench/synth-bench.ts            # builds dist/ first
 *   npx tsx bench/synth-bench.ts --no-build # when dist/ is current
 *
 * Peak RSS is the app process's own maxRSS (process.resourceUsage() at exit, through a preloaded hook), so no
 * external `time` binary is needed. Targets: shipped < 10 s and < 1 GiB; 50 environments < 60 s, about linear.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, readdirSync } from "node:fs";
import { availableParallelism, cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { parse, stringify } from "yaml";

const REPO = resolve(__dirname, "..");
const RESULTS = join(REPO, "bench", "RESULTS.md");
const SHIPPED_DIR = join(REPO, "environments");
const MAIN = join(REPO, "dist", "main.js");
const GIB = 1024 ** 3;

interface Measurement {
  readonly scenario: string;
  readonly environments: number;
  readonly stacks: number;
  readonly wallSeconds: number;
  readonly peakRssBytes: number;
}

/** Writes `count` environments cloned from dev.yaml with unique names, CIDRs and state keys. */
function generateEnvironments(dir: string, count: number): void {
  if (count > 150) throw new Error(`count (${count}) must be at most 150: generated VPCs are 10.100.0.0/16 to 10.249.0.0/16`);
  const template = parse(readFileSync(join(SHIPPED_DIR, "dev.yaml"), "utf8")) as Record<string, any>;
  for (let i = 0; i < count; i++) {
    const name = `gen-${String(i + 1).padStart(3, "0")}`;
    const env = structuredClone(template);
    env.name = name;
    env.network.vpcCidr = `10.${100 + i}.0.0/16`;
    env.stateBackend.keyPrefix = `llm-platform/${name}`;
    writeFileSync(join(dir, `${name}.yaml`), stringify(env));
  }
}

/** Runs the app once in a fresh working directory and measures it. */
async function measure(scenario: string, environmentsDir: string, environments: number): Promise<Measurement> {
  const cwd = mkdtempSync(join(tmpdir(), "synth-bench-"));
  const usageFile = join(cwd, "usage.json");
  const hook = join(cwd, "usage-hook.js");
  writeFileSync(
    hook,
    `process.on("exit", () => require("fs").writeFileSync(${JSON.stringify(usageFile)}, JSON.stringify(process.resourceUsage())));\n`,
  );
  const env: NodeJS.ProcessEnv = { ...process.env, ENVIRONMENTS_DIR: environmentsDir, CHECKPOINT_DISABLE: "1" };
  delete env.ENVIRONMENTS;
  delete env.CDKTF_OUTDIR;
  const started = performance.now();
  const code = await new Promise<number | null>((done, fail) => {
    const child = spawn(process.execPath, ["--require", hook, MAIN], { cwd, env, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", fail);
    child.on("close", (c) => (c === 0 ? done(c) : fail(new Error(`${scenario}: the app exited with ${c}: ${stderr}`))));
  });
  const wallSeconds = (performance.now() - started) / 1000;
  const usage = JSON.parse(readFileSync(usageFile, "utf8")) as { maxRSS: number };
  const stacks = readdirSync(join(cwd, "cdktf.out", "stacks")).length;
  rmSync(cwd, { recursive: true, force: true });
  if (code !== 0) throw new Error(`${scenario} failed`);
  return { scenario, environments, stacks, wallSeconds, peakRssBytes: usage.maxRSS * 1024 };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/** Best of `runs` by wall time (median would be fairer on a quiet machine; shared CI machines are not quiet). */
async function measureRepeated(scenario: string, dir: string, environments: number, runs: number): Promise<Measurement> {
  const all: Measurement[] = [];
  for (let i = 0; i < runs; i++) all.push(await measure(scenario, dir, environments));
  const wall = median(all.map((m) => m.wallSeconds));
  return { ...all[0]!, wallSeconds: wall, peakRssBytes: Math.max(...all.map((m) => m.peakRssBytes)) };
}

function machine(): string {
  const cpu = cpus()[0]?.model.trim() ?? "unknown CPU";
  const load = loadavg().map((l) => l.toFixed(2)).join(" ");
  return `${availableParallelism()} cores (${cpu}), ${(totalmem() / GIB).toFixed(1)} GiB memory, Node ${process.version}, load average before the run ${load}`;
}

function table(rows: readonly Measurement[], shipped: Measurement, fifty: Measurement | undefined): string {
  const perEnv = (m: Measurement) => (m.wallSeconds / m.environments).toFixed(2);
  const lines = [
    "| scenario | environments | stacks | wall time (s) | s per environment | peak RSS (MiB) | target | met |",
    "| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |",
    ...rows.map((m) => {
      const target =
        m === shipped ? "< 10 s, < 1 GiB" : m === fifty ? "< 60 s" : "";
      const met =
        m === shipped
          ? m.wallSeconds < 10 && m.peakRssBytes < GIB
            ? "yes"
            : "no"
          : m === fifty
            ? m.wallSeconds < 60
              ? "yes"
              : "no"
            : "";
      return `| ${m.scenario} | ${m.environments} | ${m.stacks} | ${m.wallSeconds.toFixed(2)} | ${perEnv(m)} | ${(m.peakRssBytes / 1024 ** 2).toFixed(0)} | ${target} | ${met} |`;
    }),
  ];
  return lines.join("\n");
}

/** Linear fit of wall time over environment count over the generated runs: fixed cost + cost per environment. */
function linearity(rows: readonly Measurement[]): string {
  const pts = rows.filter((r) => r.scenario.startsWith("generated"));
  if (pts.length < 2) return "";
  const n = pts.length;
  const mx = pts.reduce((a, p) => a + p.environments, 0) / n;
  const my = pts.reduce((a, p) => a + p.wallSeconds, 0) / n;
  const slope = pts.reduce((a, p) => a + (p.environments - mx) * (p.wallSeconds - my), 0) / pts.reduce((a, p) => a + (p.environments - mx) ** 2, 0);
  const intercept = my - slope * mx;
  const ssTot = pts.reduce((a, p) => a + (p.wallSeconds - my) ** 2, 0);
  const ssRes = pts.reduce((a, p) => a + (p.wallSeconds - (intercept + slope * p.environments)) ** 2, 0);
  const r2 = ssTot === 0 ? 1 : 1 - ssRes / ssTot;
  return `Growth: wall time ≈ ${intercept.toFixed(2)} s + ${slope.toFixed(3)} s × environments (least squares over the generated runs, R² = ${r2.toFixed(3)}).`;
}

function appendToResults(block: string): void {
  const existing = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : "# Benchmark results\n";
  const heading = "## Synthesis";
  const start = existing.indexOf(`\n${heading}\n`);
  let next: string;
  if (start < 0) {
    next = `${existing.trimEnd()}\n\n${heading}\n\nMeasured by \`npx tsx bench/synth-bench.ts\` (\`make bench-synth\`): the cdktf app synthesizing every environment of a folder, in a fresh working directory.\n\n${block}\n`;
  } else {
    const after = existing.indexOf("\n## ", start + heading.length + 1);
    const end = after < 0 ? existing.length : after;
    next = `${existing.slice(0, end).trimEnd()}\n\n${block}\n${after < 0 ? "" : existing.slice(end)}`;
  }
  writeFileSync(RESULTS, next);
}

async function main(): Promise<void> {
  if (!process.argv.includes("--no-build")) {
    execFileSync(process.execPath, [join(REPO, "node_modules/typescript/bin/tsc"), "-p", join(REPO, "tsconfig.build.json")], { stdio: "inherit" });
  }
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: build with npx tsc -p tsconfig.build.json`);
  const before = machine();
  const shippedCount = readdirSync(SHIPPED_DIR).filter((f) => /\.ya?ml$/.test(f) && !f.startsWith("_")).length;
  const rows: Measurement[] = [];
  const shipped = await measureRepeated("shipped", SHIPPED_DIR, shippedCount, 3);
  rows.push(shipped);
  process.stderr.write(`shipped: ${shipped.wallSeconds.toFixed(2)} s\n`);

  const root = mkdtempSync(join(tmpdir(), "synth-bench-envs-"));
  let fifty: Measurement | undefined;
  try {
    for (const count of [10, 25, 50]) {
      const dir = join(root, `n${count}`);
      mkdirSync(dir);
      generateEnvironments(dir, count);
      const m = await measure(`generated ${count}`, dir, count);
      rows.push(m);
      if (count === 50) fifty = m;
      process.stderr.write(`${m.scenario}: ${m.wallSeconds.toFixed(2)} s\n`);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }

  const block = [
    `### ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC`,
    "",
    `Machine: ${before}.`,
    "",
    table(rows, shipped, fifty),
    "",
    linearity(rows),
    ...(loadavg()[0]! > availableParallelism()
      ? ["", "The machine was busy during this run (load average above the core count): the times are pessimistic."]
      : []),
  ].join("\n");
  process.stdout.write(`${block}\n`);
  appendToResults(block);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
