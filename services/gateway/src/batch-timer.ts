/**
 * One timer for a batch of writes: callers add work to their own batch and ask for the next run; the first ask
 * after a run starts a `ms` timer, every ask until it fires shares its promise, and `now()` runs at once (shutdown).
 * Used by the response cache's stores and the rate limits' usage corrections (docs/decisions/0039-redis-round-trips.md).
 */
export class BatchTimer {
  private scheduled: Promise<void> | undefined;

  constructor(
    private readonly ms: number,
    private readonly run: () => Promise<void>,
  ) {}

  /** Settles with the run that sends what was batched so far: at once when ms is 0, else within ms. */
  next(): Promise<void> {
    if (this.ms === 0) return this.now();
    this.scheduled ??= new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => this.now().then(resolve, reject), this.ms);
      timer.unref();
    });
    return this.scheduled;
  }

  /** Runs now; the next ask starts a new timer. */
  now(): Promise<void> {
    this.scheduled = undefined;
    return this.run();
  }
}
