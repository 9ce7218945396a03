/**
 * Cancellation of one gateway request (client gone, deadline passed) without creating AbortSignals on the hot path.
 *
 * Why not AbortController: on Node 20 every AbortSignal is made by Object.setPrototypeOf(new EventTarget(), ...),
 * and V8 gives an object whose prototype was swapped a map of its own; such objects survive young-generation GCs
 * and are promoted to the old generation with everything they reach at the time. Measured in isolation: 20 signals
 * per ms promote ≈ 1.2 MB per scavenge (a plain EventEmitter: nothing), and in the gateway the two signals per
 * chat request (client and deadline) were most of the ≈ 5 KB promoted per request, which made every scavenge
 * ≈ 1.8 ms and filled the old generation with garbage for full GCs. Node 22 builds signals without the prototype
 * swap (nodejs/node#52408); the production image runs Node 20. See docs/decisions/0065-young-generation.md.
 *
 * undici accepts an EventEmitter as `signal` (its documented type is `AbortSignal | EventEmitter | null`; it
 * subscribes with addEventListener when present, and reads `aborted` and `reason`), so RequestAbort is one, with
 * the EventTarget-style subscription methods and the AbortSignal fields the gateway's code uses. APIs that need a
 * real AbortSignal (fetch-based clients, AbortSignal.any) get one from toAbortSignal(), created on first use.
 */
import { EventEmitter } from "node:events";

/** What the request path accepts as a cancellation signal: a real AbortSignal (tests, RAG) or a RequestAbort. */
export type CancelSignal = AbortSignal | RequestAbort;

export class RequestAbort extends EventEmitter {
  private state: { readonly reason: unknown } | undefined;
  private real: AbortController | undefined;

  get aborted(): boolean {
    return this.state !== undefined;
  }

  get reason(): unknown {
    return this.state?.reason;
  }

  /** Aborts once (later calls do nothing): listeners run synchronously, as an AbortSignal's do. */
  abort(reason: unknown = new DOMException("This operation was aborted", "AbortError")): void {
    if (this.state) return;
    this.state = { reason };
    this.real?.abort(reason);
    this.emit("abort");
  }

  addEventListener(type: "abort", listener: () => void, options?: { readonly once?: boolean }): void {
    if (options?.once) this.once(type, listener);
    else this.on(type, listener);
  }

  removeEventListener(type: "abort", listener: () => void): void {
    this.off(type, listener);
  }

  /** An AbortSignal that follows this one (already aborted if this is), created on the first call. */
  toAbortSignal(): AbortSignal {
    if (!this.real) {
      this.real = new AbortController();
      if (this.state) this.real.abort(this.state.reason);
    }
    return this.real.signal;
  }
}

/** `signal` as an AbortSignal, for APIs that take nothing else. */
export function asAbortSignal(signal: CancelSignal): AbortSignal {
  return signal instanceof RequestAbort ? signal.toAbortSignal() : signal;
}
