/**
 * A circuit breaker per upstream replica: closed → (failureThreshold consecutive failures) → open →
 * (resetTimeoutMs) → half-open, which lets one probe through: success closes, failure reopens.
 *
 * A small state machine instead of opossum: opossum wraps a function and decides per call, but the balancer
 * must know *before* a call which replicas are eligible (least-outstanding selection over healthy replicas),
 * and a streamed call succeeds at its first byte, not when a wrapped promise settles. See
 * docs/decisions/0033-routing-and-circuit-breaking.md.
 */
export type CircuitState = "closed" | "half-open" | "open";

export interface CircuitOptions {
  readonly failureThreshold: number;
  readonly resetTimeoutMs: number;
  /** Milliseconds clock (injectable for tests). */
  readonly now?: () => number;
  /** Called on every state change. */
  readonly onChange?: (state: CircuitState) => void;
}

export class CircuitBreaker {
  private state_: CircuitState = "closed";
  private failures = 0;
  private openedAt = 0;
  private probeInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The state, moving open → half-open once the reset timeout has passed. */
  get state(): CircuitState {
    if (this.state_ === "open" && this.now() - this.openedAt >= this.options.resetTimeoutMs) this.transition("half-open");
    return this.state_;
  }

  /** Whether a call may be made now (without claiming the half-open probe). */
  get available(): boolean {
    const s = this.state;
    return s === "closed" || (s === "half-open" && !this.probeInFlight);
  }

  /** Claims permission for one call; false when open or when the half-open probe is taken. */
  tryAcquire(): boolean {
    const s = this.state;
    if (s === "closed") return true;
    if (s === "half-open" && !this.probeInFlight) {
      this.probeInFlight = true;
      return true;
    }
    return false;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.probeInFlight = false;
    if (this.state_ !== "closed") this.transition("closed");
  }

  recordFailure(): void {
    this.probeInFlight = false;
    this.failures += 1;
    if (this.state_ === "half-open" || (this.state_ === "closed" && this.failures >= this.options.failureThreshold)) {
      this.openedAt = this.now();
      this.transition("open");
    }
  }

  /** Releases a half-open probe whose outcome says nothing about the upstream (e.g. the client went away). */
  releaseProbe(): void {
    this.probeInFlight = false;
  }

  private transition(next: CircuitState): void {
    this.state_ = next;
    this.options.onChange?.(next);
  }
}
