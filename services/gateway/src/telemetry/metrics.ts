/**
 * The gateway's Prometheus metrics, named exactly as docs/metrics.md lists them (the charts' rules and
 * dashboards depend on the names and labels). Registered on the registry the app is given, so each test app
 * has its own; registering twice on one registry returns the metrics already there.
 */
import type { IntervalHistogram } from "node:perf_hooks";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

const latencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const overheadBuckets = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25];

export interface GatewayMetrics {
  readonly requests: Counter<"route" | "model" | "status">;
  readonly requestDuration: Histogram<"route" | "model">;
  readonly timeToFirstToken: Histogram<"model">;
  readonly overhead: Histogram<"route">;
  readonly tokens: Counter<"model" | "type">;
  readonly cost: Counter<"model">;
  readonly rateLimitRejections: Counter<"scope" | "kind">;
  readonly rateLimitStoreErrors: Counter<"mode">;
  readonly cacheRequests: Counter<"result">;
  readonly upstreamRequests: Counter<"model" | "upstream" | "outcome">;
  readonly upstreamErrors: Counter<"model" | "upstream" | "reason">;
  readonly circuitState: Gauge<"model" | "upstream">;
  readonly fallbacks: Counter<"from" | "to">;
  readonly eventLoopDelay: EventLoopDelay;
}

/** llm_gateway_event_loop_delay_seconds: quantiles of the event loop's delay since the previous scrape. */
export interface EventLoopDelay {
  /** The histogram (perf_hooks.monitorEventLoopDelay) the gauge reads, and resets, at each scrape. */
  setSource(histogram: IntervalHistogram): void;
}

const loopDelaySources = new WeakMap<object, IntervalHistogram>();

function eventLoopDelay(registry: Registry): EventLoopDelay {
  const name = "llm_gateway_event_loop_delay_seconds";
  const gauge = getOr(
    registry,
    name,
    () =>
      new Gauge({
        name,
        help: "Event loop delay since the previous scrape (quantile 1 = max): how long a request ready on its socket can wait before the gateway reads it, the part x-gateway-overhead-ms leaves out",
        labelNames: ["quantile"],
        registers: [registry],
        collect(this: Gauge<"quantile">) {
          const h = loopDelaySources.get(this);
          if (!h || h.count === 0) return;
          this.set({ quantile: "0.5" }, h.percentile(50) / 1e9);
          this.set({ quantile: "0.99" }, h.percentile(99) / 1e9);
          this.set({ quantile: "1" }, h.max / 1e9);
          h.reset();
        },
      }),
  );
  return { setSource: (h) => void loopDelaySources.set(gauge, h) };
}

function getOr<T>(registry: Registry, name: string, make: () => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? make();
}

export function gatewayMetrics(registry: Registry): GatewayMetrics {
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
    getOr(registry, name, () => new Counter({ name, help, labelNames, registers }));
  const histogram = <L extends string>(name: string, help: string, labelNames: L[], buckets: number[]): Histogram<L> =>
    getOr(registry, name, () => new Histogram({ name, help, labelNames, buckets, registers }));
  return {
    requests: counter("llm_gateway_requests_total", "Requests answered", ["route", "model", "status"]),
    requestDuration: histogram("llm_gateway_request_duration_seconds", "Whole request latency", ["route", "model"], latencyBuckets),
    timeToFirstToken: histogram("llm_gateway_time_to_first_token_seconds", "Streamed requests: time to the first content chunk", ["model"], latencyBuckets),
    overhead: histogram("llm_gateway_overhead_seconds", "Time not spent waiting on upstreams", ["route"], overheadBuckets),
    tokens: counter("llm_gateway_tokens_total", "Tokens, from upstream usage", ["model", "type"]),
    cost: counter("llm_gateway_cost_usd_total", "Estimated cost from per-model prices in config", ["model"]),
    rateLimitRejections: counter("llm_gateway_rate_limit_rejections_total", "Requests rejected by a rate limit (429)", ["scope", "kind"]),
    rateLimitStoreErrors: counter("llm_gateway_rate_limit_store_errors_total", "Redis unreachable during a limit check", ["mode"]),
    cacheRequests: counter("llm_gateway_cache_requests_total", "Response cache lookups", ["result"]),
    upstreamRequests: counter("llm_gateway_upstream_requests_total", "Attempts per upstream", ["model", "upstream", "outcome"]),
    upstreamErrors: counter("llm_gateway_upstream_errors_total", "Failed upstream attempts", ["model", "upstream", "reason"]),
    circuitState: getOr(registry, "llm_gateway_circuit_state", () => new Gauge({ name: "llm_gateway_circuit_state", help: "Circuit state per upstream: 0 closed, 1 half-open, 2 open", labelNames: ["model", "upstream"], registers })),
    fallbacks: counter("llm_gateway_fallbacks_total", "Fallbacks to the next model", ["from", "to"]),
    eventLoopDelay: eventLoopDelay(registry),
  };
}
