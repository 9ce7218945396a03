/**
 * Deployments: each configured model with its replicas. A replica is an upstream client, its outstanding
 * request count and its circuit breaker. Selection is least-outstanding-requests over replicas whose circuit
 * admits a call, ties broken round-robin so equal replicas share load.
 */
import type { GatewayConfig, ModelConfig } from "../config/schema";
import type { GatewayMetrics } from "../telemetry/metrics";
import { OpenAIUpstreamClient } from "../upstreams/openai-client";
import { CircuitBreaker, type CircuitState } from "./circuit-breaker";

const stateValue: Record<CircuitState, number> = { closed: 0, "half-open": 1, open: 2 };

export class Replica {
  outstanding = 0;
  readonly breaker: CircuitBreaker;

  constructor(
    readonly model: string,
    readonly client: OpenAIUpstreamClient,
    cfg: GatewayConfig["routing"]["circuitBreaker"],
    metrics: GatewayMetrics,
    now: () => number,
  ) {
    const labels = { model, upstream: client.label };
    metrics.circuitState.set(labels, 0);
    this.breaker = new CircuitBreaker({
      failureThreshold: cfg.failureThreshold,
      resetTimeoutMs: cfg.resetTimeoutMs,
      now,
      onChange: (s) => metrics.circuitState.set(labels, stateValue[s]),
    });
  }

  get label(): string {
    return this.client.label;
  }
}

export class Deployment {
  private rr = 0;
  constructor(
    readonly name: string,
    readonly cfg: ModelConfig,
    readonly replicas: readonly Replica[],
  ) {}

  /** Least outstanding requests among replicas whose circuit admits a call, preferring ones not yet tried. */
  pick(tried: ReadonlySet<Replica>): Replica | undefined {
    const n = this.replicas.length;
    const start = this.rr++ % n;
    let best: Replica | undefined;
    let bestUntried: Replica | undefined;
    for (let i = 0; i < n; i++) {
      const r = this.replicas[(start + i) % n] as Replica;
      if (!r.breaker.available) continue;
      if (!best || r.outstanding < best.outstanding) best = r;
      if (!tried.has(r) && (!bestUntried || r.outstanding < bestUntried.outstanding)) bestUntried = r;
    }
    return bestUntried ?? best;
  }

  /** True when some replica's circuit is not open. */
  get healthy(): boolean {
    return this.replicas.some((r) => r.breaker.state !== "open");
  }
}

export function buildDeployments(
  cfg: GatewayConfig,
  metrics: GatewayMetrics,
  apiKeyFor: (model: string, m: ModelConfig) => string | undefined,
  now: () => number = Date.now,
): Map<string, Deployment> {
  const out = new Map<string, Deployment>();
  for (const [name, m] of Object.entries(cfg.models)) {
    const apiKey = apiKeyFor(name, m);
    const replicas = m.upstreams.map(
      (url) => new Replica(name, new OpenAIUpstreamClient(url, { connections: m.connections, ...(apiKey ? { apiKey } : {}) }), cfg.routing.circuitBreaker, metrics, now),
    );
    out.set(name, new Deployment(name, m, replicas));
  }
  return out;
}
