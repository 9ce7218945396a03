/**
 * Model routing: names → deployments, `model: "auto"` by complexity, the fallback chain, and the attempt loop
 * (least-outstanding replica, retries with jittered exponential backoff on connect errors, timeouts and
 * 429/502/503 before the first byte, then the next model of the chain). Requests that contain PII never reach an
 * external model. The attempt callback decides when an attempt has "succeeded" (for a stream: response headers
 * with 200), after which nothing is retried.
 */
import type { GatewayConfig } from "../config/schema";
import type { Principal } from "../contracts";
import { GatewayError } from "../http/errors";
import type { GatewayMetrics } from "../telemetry/metrics";
import { UpstreamError } from "../upstreams/openai-client";
import { estimateComplexity, type ComplexityEstimate } from "./complexity";
import type { Deployment, Replica } from "./deployments";
import type { CancelSignal } from "../request-abort";

export interface RoutePlan {
  /** The model the request resolved to (its cache key and tokenizer). */
  readonly model: string;
  /** The model, then its fallbacks, filtered to what the caller may use (and self-hosted only with PII). */
  readonly chain: readonly string[];
  readonly complexity?: ComplexityEstimate;
}

export interface Attempt<T> {
  readonly value: T;
  readonly model: string;
  readonly replica: Replica;
  /** Ends the attempt's hold on the replica (outstanding count); call once the body is fully read. */
  readonly release: () => void;
}

export interface AttemptTiming {
  upstreamMs: number;
}

const retryableReasons = new Set(["connect", "timeout", "status_429", "reset"]);
const breakerFailures = new Set(["connect", "timeout", "status_5xx", "reset", "bad_response"]);

export function mayUse(principal: Principal, ...names: string[]): boolean {
  return principal.models === "*" || names.some((n) => (principal.models as readonly string[]).includes(n));
}

export class ModelRouter {
  constructor(
    private readonly cfg: GatewayConfig,
    readonly deployments: ReadonlyMap<string, Deployment>,
    private readonly metrics: GatewayMetrics,
    private readonly sleep: (ms: number, signal: CancelSignal) => Promise<void> = abortableSleep,
  ) {}

  /** The model a name refers to (alias resolved), or undefined. */
  resolve(name: string): string | undefined {
    if (this.deployments.has(name)) return name;
    return this.cfg.aliases[name];
  }

  /** The chat names (models, aliases and "auto") a caller may use, for GET /v1/models. */
  visibleModels(principal: Principal, kind: "chat" | "embedding" | "any" = "any"): string[] {
    const names: string[] = [];
    for (const [name, d] of this.deployments) if ((kind === "any" || d.cfg.kind === kind) && mayUse(principal, name)) names.push(name);
    for (const [alias, target] of Object.entries(this.cfg.aliases)) {
      const d = this.deployments.get(target);
      if (d && (kind === "any" || d.cfg.kind === kind) && mayUse(principal, alias, target)) names.push(alias);
    }
    if (this.cfg.routing.auto.enabled && kind !== "embedding" && mayUse(principal, "auto")) names.push("auto");
    return names;
  }

  /**
   * Plans a request: resolves the name (or complexity for "auto"), checks the caller may use it, and builds the
   * fallback chain. Throws 404 for unknown models, 403 for models the caller may not use, 400 when PII leaves
   * no self-hosted model.
   */
  plan(requested: string, principal: Principal, opts: { kind: "chat" | "embedding"; text?: string; containsPii?: boolean }): RoutePlan {
    const containsPii = opts.containsPii ?? false;
    let model: string;
    let complexity: ComplexityEstimate | undefined;
    if (requested === "auto" && opts.kind === "chat" && this.cfg.routing.auto.enabled) {
      if (!mayUse(principal, "auto")) throw new GatewayError(403, "model_not_allowed", `you may not use the model "auto"`, { param: "model" });
      const auto = this.cfg.routing.auto;
      complexity = estimateComplexity(opts.text ?? "", auto);
      const pick =
        auto.externalModel !== undefined && !containsPii && complexity.score >= auto.externalThreshold
          ? auto.externalModel
          : complexity.score >= auto.threshold
            ? auto.highModel
            : auto.lowModel;
      model = this.resolve(pick) ?? pick;
    } else {
      const resolved = this.resolve(requested);
      const d = resolved === undefined ? undefined : this.deployments.get(resolved);
      if (resolved === undefined || !d || d.cfg.kind !== opts.kind) {
        throw new GatewayError(404, "model_not_found", `The model "${truncate(requested)}" does not exist or is not a ${opts.kind} model`, { param: "model" });
      }
      if (!mayUse(principal, requested, resolved)) throw new GatewayError(403, "model_not_allowed", `you may not use the model "${truncate(requested)}"`, { param: "model" });
      model = resolved;
    }
    const chain: string[] = [];
    const consider = (name: string): void => {
      const d = this.deployments.get(name);
      if (!d || chain.includes(name)) return;
      if (containsPii && d.cfg.external) return;
      if (name !== model && !mayUse(principal, name)) return;
      chain.push(name);
    };
    consider(model);
    for (const f of this.deployments.get(model)?.cfg.fallbacks ?? []) consider(f);
    if (chain.length === 0) {
      throw new GatewayError(400, "pii_requires_self_hosted", "the request contains personal data and no self-hosted model is available for it", { param: "model" });
    }
    return { model: chain[0] as string, chain, ...(complexity ? { complexity } : {}) };
  }

  /**
   * Runs `attempt` against replicas of the chain's models until one succeeds. `attempt` throws UpstreamError
   * for failures; any other error is passed on unchanged.
   */
  async execute<T>(
    chain: readonly string[],
    signal: CancelSignal,
    timing: AttemptTiming,
    attempt: (replica: Replica, deployment: Deployment) => Promise<T>,
  ): Promise<Attempt<T>> {
    const r = this.cfg.routing;
    let last: UpstreamError | undefined;
    let sawOpenCircuit = false;
    for (let m = 0; m < chain.length; m++) {
      const name = chain[m] as string;
      const deployment = this.deployments.get(name) as Deployment;
      if (m > 0) this.metrics.fallbacks.inc({ from: chain[m - 1] as string, to: name });
      const tried = new Set<Replica>();
      for (let i = 0; i < r.maxAttemptsPerModel; i++) {
        if (i > 0) await this.sleep(backoff(i, r.backoffBaseMs, r.backoffMaxMs), signal);
        if (signal.aborted) throw new GatewayError(499, "client_closed_request", "the client closed the request");
        const replica = deployment.pick(tried);
        if (!replica || !replica.breaker.tryAcquire()) {
          sawOpenCircuit = true;
          break;
        }
        tried.add(replica);
        replica.outstanding += 1;
        const started = performance.now();
        let released = false;
        const release = (): void => {
          if (released) return;
          released = true;
          replica.outstanding -= 1;
        };
        try {
          const value = await attempt(replica, deployment);
          timing.upstreamMs += performance.now() - started;
          replica.breaker.recordSuccess();
          this.metrics.upstreamRequests.inc({ model: name, upstream: replica.label, outcome: "success" });
          return { value, model: name, replica, release };
        } catch (e) {
          timing.upstreamMs += performance.now() - started;
          release();
          if (!(e instanceof UpstreamError)) {
            replica.breaker.releaseProbe();
            throw e;
          }
          if (e.reason === "aborted" || signal.aborted) {
            replica.breaker.releaseProbe();
            this.metrics.upstreamRequests.inc({ model: name, upstream: replica.label, outcome: "aborted" });
            throw new GatewayError(499, "client_closed_request", "the client closed the request");
          }
          this.metrics.upstreamRequests.inc({ model: name, upstream: replica.label, outcome: "error" });
          this.metrics.upstreamErrors.inc({ model: name, upstream: replica.label, reason: e.reason });
          if (breakerFailures.has(e.reason) || e.status === 502 || e.status === 503) replica.breaker.recordFailure();
          else replica.breaker.releaseProbe();
          if (e.reason === "status_4xx") {
            const status = e.status === 413 || e.status === 422 ? 400 : (e.status ?? 400);
            throw new GatewayError(status >= 400 && status < 500 ? status : 400, "upstream_rejected", `the model server rejected the request: ${e.upstreamMessage ?? e.message}`, { cause: e });
          }
          last = e;
          // 5xx other than 502/503 is not retried on the same model; the chain moves on.
          if (!(retryableReasons.has(e.reason) || e.status === 502 || e.status === 503)) break;
        }
      }
    }
    if (last?.reason === "timeout") throw new GatewayError(504, "upstream_timeout", "the model server did not answer in time", { cause: last });
    if (!last && sawOpenCircuit) throw new GatewayError(503, "no_healthy_upstream", "no healthy model server is available; try again later", { headers: { "retry-after": "5" } });
    throw new GatewayError(502, "upstream_unavailable", "the model servers failed to answer", { cause: last });
  }
}

function truncate(s: string): string {
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

/** Full-jitter exponential backoff: uniform in [0, min(max, base·2^attempt)]. */
export function backoff(attempt: number, baseMs: number, maxMs: number): number {
  return Math.random() * Math.min(maxMs, baseMs * 2 ** attempt);
}

export function abortableSleep(ms: number, signal: CancelSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const t = setTimeout(done, ms);
    function done(): void {
      clearTimeout(t);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}
