/**
 * `env clone`: a new environment file from an existing one. The source file is parsed with the `yaml` Document API
 * and edited in place (so its comments survive), the result is validated with the schema and fleet rules synthesis
 * uses, and only then written, atomically and never over an existing file.
 *
 * What changes: the name; the VPC CIDR (allocated from environments/_fleet.yaml's supernet); the state key prefix
 * (the source's name segment becomes the new name); the gateway's ingress host when it names the source; tag values
 * equal to the source's name; and what the options ask for (--region, --account, --gpu-scale-to-zero, --set).
 * Resource names need no edit: they derive from the name (and account and region for global ones).
 */
import { existsSync, linkSync, readFileSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { parseDocument, type Document } from "yaml";
import {
  checkFleetRules,
  environmentSchema,
  parseEnvironmentYaml,
  validateEnvironment,
  type EnvironmentConfig,
} from "../../stacks/environment-config";
import { allocateCidr } from "./cidr-allocation";
import {
  checkEnvironmentName,
  displayPath,
  environmentPath,
  readEnvironmentFolder,
  type EnvironmentEntry,
} from "./environment-folder";
import { EnvToolError } from "./errors";
import { readFleetSettings } from "./fleet-settings";
import { missingGpuInstanceTypes } from "./gpu-regions";
import { parseFieldValue, resolveField } from "./schema-fields";
import { formatFieldPath } from "./field-paths";
import { getIn, setIn } from "./yaml-edit";

/** What to clone and how. */
export interface CloneOptions {
  /** The environments folder. @default "environments" */
  readonly dir?: string;
  /** Source environment name. */
  readonly from: string;
  /** New environment name: a DNS-safe label, not yet used in the folder. */
  readonly to: string;
  /** AWS region of the new environment. @default the source's */
  readonly region?: string;
  /** AWS account id of the new environment; admin role ARNs in the source's account move with it. @default the source's */
  readonly account?: string;
  /** Typed overrides, `path=value`, applied last (after every other edit). @default [] */
  readonly overrides?: readonly string[];
  /** GPU node groups min/desired 0, model replicas 0, autoscaling minimums 0. @default false */
  readonly gpuScaleToZero?: boolean;
}

/** A clone ready to be written: the new file's text, its validated config, and what a reviewer should check. */
export interface ClonePlan {
  /** Where the file goes. */
  readonly path: string;
  /** The file as it will be written. */
  readonly text: string;
  /** The new environment, validated, defaults filled in. */
  readonly config: EnvironmentConfig;
  /** The source environment, validated. */
  readonly source: EnvironmentConfig;
  /** Things kept or changed that a reviewer should look at. */
  readonly notes: readonly string[];
}

type Path = ReadonlyArray<string | number>;
/** Sets a value in the document being edited (see yaml-edit's setIn), noting any comment it drops. */
type Setter = (path: Path, value: unknown) => void;

function splitOverride(text: string): { path: string; value: string } {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new EnvToolError(`Invalid override --set ${text}`, [{ file: "--set", path: text, message: "expected path=value, e.g. nodeGroups.a100.desired=2" }]);
  return { path: text.slice(0, eq), value: text.slice(eq + 1) };
}

/** Parses and type-checks one option value against the field it sets. */
function typedOption(doc: Document, path: string, text: string, option: string): { path: Path; value: unknown; allowedSiblings?: readonly string[] } {
  const field = resolveField(environmentSchema, path, doc.toJS(), option);
  const value = parseFieldValue(field, text, option);
  return { path: field.path, value, allowedSiblings: field.fieldsByVariant?.get(value as string) };
}

/**
 * Sets an override. Switching a union's variant (`redis.mode=in-cluster`) also removes the fields the new variant
 * does not have (the managed variant's nodeType), which would otherwise be unknown keys; each removal is noted.
 */
function applyOverride(doc: Document, set: Setter, o: { path: string; value: string }, notes: string[]): void {
  const typed = typedOption(doc, o.path, o.value, "--set");
  set(typed.path, typed.value);
  if (!typed.allowedSiblings) return;
  const parent = typed.path.slice(0, -1);
  const siblings = getIn(doc, parent);
  if (siblings === null || typeof siblings !== "object") return;
  for (const key of Object.keys(siblings)) {
    if (!typed.allowedSiblings.includes(key)) {
      doc.deleteIn([...parent, key]);
      notes.push(`${[...parent, key].join(".")} removed: ${o.path}=${o.value} has no such field`);
    }
  }
}

function rewriteKeyPrefix(prefix: string, from: string, to: string): string {
  const segments = prefix.split("/");
  const i = segments.lastIndexOf(from);
  if (i < 0) return `${prefix}/${to}`;
  segments[i] = to;
  return segments.join("/");
}

function commandLine(o: CloneOptions): string {
  const parts = [`--from ${o.from}`, `--to ${o.to}`];
  if (o.region) parts.push(`--region ${o.region}`);
  if (o.account) parts.push(`--account ${o.account}`);
  if (o.gpuScaleToZero) parts.push("--gpu-scale-to-zero");
  for (const s of o.overrides ?? []) parts.push(`--set ${s}`);
  return parts.join(" ");
}

/** Finds the source, refusing a bad target name, an existing target and a folder that does not validate. */
function preflight(dir: string, o: CloneOptions): { source: EnvironmentEntry; entries: EnvironmentEntry[]; target: string } {
  checkEnvironmentName(o.to, "--to");
  const entries = readEnvironmentFolder(dir);
  const source = entries.find((e) => e.name === o.from);
  if (!source) {
    throw new EnvToolError(`Unknown source environment "${o.from}"`, [
      { file: "--from", path: "", message: `expected one of ${entries.map((e) => e.name).join(", ") || "(none)"} (the files in ${displayPath(dir)})` },
    ]);
  }
  const target = environmentPath(dir, o.to);
  if (existsSync(target)) {
    throw new EnvToolError(`Environment "${o.to}" already exists`, [
      { file: displayPath(target), path: "", message: "refusing to overwrite an existing environment; pick another --to or delete the file first" },
    ]);
  }
  const invalid = entries.flatMap((e) => e.problems);
  if (invalid.length > 0) {
    throw new EnvToolError("The environments folder does not validate (synthesis would fail too); fix it before cloning", invalid);
  }
  return { source, entries, target };
}

/** Plans a clone without writing anything; throws EnvToolError with every reason it cannot be made. */
export function planClone(options: CloneOptions): ClonePlan {
  const dir = options.dir ?? "environments";
  const { source, entries, target } = preflight(dir, options);
  const fleet = readFleetSettings(dir);
  const { from, to } = options;
  const doc = parseDocument(readFileSync(source.path, "utf8"), { uniqueKeys: true });
  const notes: string[] = [];
  const set: Setter = (path, value) => {
    const dropped = setIn(doc, path, value);
    if (dropped) notes.push(`${formatFieldPath(path)} changed, so its comment "# ${dropped}" was dropped`);
  };

  // Typed option values first, so a bad one fails before anything else is computed.
  const region = options.region === undefined ? undefined : typedOption(doc, "aws.region", options.region, "--region");
  const account = options.account === undefined ? undefined : typedOption(doc, "aws.accountId", options.account, "--account");
  const overrides = (options.overrides ?? []).map(splitOverride);

  set(["name"], to);

  const keyPrefix = String(getIn(doc, ["stateBackend", "keyPrefix"]));
  set(["stateBackend", "keyPrefix"], rewriteKeyPrefix(keyPrefix, from, to));

  if (region) {
    set(region.path, region.value);
    const backendRegion = String(getIn(doc, ["stateBackend", "region"]));
    if (backendRegion !== region.value) {
      notes.push(`stateBackend.region stays ${backendRegion}: it is the region of the state bucket, which does not move with the environment`);
    }
  }

  if (account) {
    const sourceAccount = String(getIn(doc, ["aws", "accountId"]));
    set(account.path, account.value);
    const admins = getIn(doc, ["cluster", "admins"]);
    if (Array.isArray(admins)) {
      admins.forEach((arn, i) => {
        if (typeof arn === "string" && arn.includes(`::${sourceAccount}:`)) {
          set(["cluster", "admins", i], arn.replace(`::${sourceAccount}:`, `::${String(account.value)}:`));
          notes.push(`cluster.admins[${i}] moved to account ${String(account.value)}: make sure that role exists there`);
        }
      });
    }
  }

  const host = getIn(doc, ["platform", "gateway", "ingressHost"]);
  if (typeof host === "string") {
    const labels = host.split(".");
    if (labels.includes(from)) {
      set(["platform", "gateway", "ingressHost"], labels.map((l) => (l === from ? to : l)).join("."));
    } else {
      notes.push(`platform.gateway.ingressHost stays ${host}, shared with ${from}: set --set platform.gateway.ingressHost=<host> if the clone needs its own`);
    }
  }
  const issuer = getIn(doc, ["platform", "gateway", "oidcIssuer"]);
  if (typeof issuer === "string") notes.push(`platform.gateway.oidcIssuer stays ${issuer} (the clone trusts the same identity provider as ${from})`);

  const tags = getIn(doc, ["tags"]);
  if (tags !== null && typeof tags === "object") {
    for (const [k, v] of Object.entries(tags)) if (v === from) set(["tags", k], to);
  }

  if (options.gpuScaleToZero) scaleGpusToZero(doc, set);

  const overridesCidr = overrides.some((o) => o.path === "network.vpcCidr");
  if (!overridesCidr) {
    const used = [...entries.flatMap((e) => (e.vpcCidr ? [e.vpcCidr] : [])), ...fleet.reservedCidrs];
    set(["network", "vpcCidr"], allocateCidr(fleet.vpcSupernet, fleet.vpcPrefixLength, used));
  }

  for (const o of overrides) applyOverride(doc, set, o, notes);

  const header = ` ${to}: cloned from ${from} with \`env clone ${commandLine(options)}\`. The comments below came from ${from}.`;
  doc.commentBefore = doc.commentBefore ? `${header}\n${doc.commentBefore}` : header;

  const text = doc.toString({ lineWidth: 0 });
  const config = validateClone(text, target, entries);
  return { path: target, text, config, source: source.config!, notes };
}

/** Node groups of kind gpu to min/desired 0; every model's replicas and autoscaling minimum to 0. */
function scaleGpusToZero(doc: Document, set: Setter): void {
  const groups = getIn(doc, ["nodeGroups"]);
  if (groups !== null && typeof groups === "object") {
    for (const [name, group] of Object.entries(groups as Record<string, { kind?: unknown }>)) {
      if (group?.kind !== "gpu") continue;
      set(["nodeGroups", name, "min"], 0);
      set(["nodeGroups", name, "desired"], 0);
    }
  }
  const models = getIn(doc, ["models"]);
  if (Array.isArray(models)) {
    models.forEach((m: unknown, i) => {
      set(["models", i, "replicas"], 0);
      if (m !== null && typeof m === "object" && "autoscaling" in m) set(["models", i, "autoscaling", "minReplicas"], 0);
    });
  }
}

/** The same checks synthesis applies (schema, cross-field rules, fleet rules against every environment), plus region data. */
function validateClone(text: string, target: string, entries: readonly EnvironmentEntry[]): EnvironmentConfig {
  const file = displayPath(target);
  const parsed = parseEnvironmentYaml(text, file);
  if (!parsed.ok) throw new EnvToolError("The clone would not be valid YAML; nothing was written", parsed.problems);
  const result = validateEnvironment(parsed.value, file);
  if (!result.ok) throw new EnvToolError("The clone would not validate; nothing was written", result.problems);
  const config = result.config;

  const missing = missingGpuInstanceTypes(config, config.aws.region);
  if (missing.length > 0) {
    throw new EnvToolError(
      `GPU instance types of the clone are not offered in ${config.aws.region} (per constructs/data/gpu-instance-regions.json); nothing was written`,
      missing.map((m) => ({
        file,
        path: m.path,
        message: `${m.instanceType} is not offered in ${config.aws.region}; known in ${m.knownRegions.join(", ") || "no region"}`,
      })),
    );
  }

  const fleet = [...entries.map((e) => ({ file: e.file, config: e.config! })), { file, config }];
  const problems = checkFleetRules(fleet).filter((p) => p.file === file);
  if (problems.length > 0) throw new EnvToolError("The clone would break fleet rules; nothing was written", problems);
  return config;
}

/**
 * Writes a planned clone without ever replacing a file: the text goes to a hidden temporary file in the same
 * folder, which is then hard-linked to the target name (fails if the name appeared meanwhile) and removed.
 */
export function writeClone(plan: ClonePlan): void {
  const tmp = join(dirname(plan.path), `.${basename(plan.path)}.${process.pid}.tmp`);
  writeFileSync(tmp, plan.text, { flag: "wx" });
  try {
    linkSync(tmp, plan.path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") {
      throw new EnvToolError(`Environment file ${displayPath(plan.path)} appeared while cloning; refusing to overwrite it`);
    }
    throw err;
  } finally {
    unlinkSync(tmp);
  }
}

/** Plans and writes a clone; returns the plan. Nothing is written when it throws. */
export function cloneEnvironment(options: CloneOptions): ClonePlan {
  const plan = planClone(options);
  writeClone(plan);
  return plan;
}
