import { Code } from "../code.js";
import { TripleError } from "../errors.js";

/**
 * Manual receive credits, as `request(n)` in gRPC and Dubbo Java: at most as many responses are
 * delivered as were granted. The call puts this gate in front of its response stream, so the
 * response body is read only while credit is left: a consumer that grants nothing makes the
 * transport stop reading, and through flow control, the server stop producing.
 */
export class ResponseCredits {
  private available: number;
  private grantedTotal: number;
  private deliveredTotal = 0;
  private waiter: { resolve: () => void; reject: (e: unknown) => void } | undefined;
  private failure: unknown;
  private failed = false;

  constructor(initial: number) {
    checkCount(initial, "initialRequest");
    this.available = initial;
    this.grantedTotal = initial;
  }

  /** Allows `count` more deliveries. */
  grant(count: number): void {
    checkCount(count, "request(count)");
    this.available += count;
    this.grantedTotal += count;
    if (this.available > 0) {
      const w = this.waiter;
      this.waiter = undefined;
      w?.resolve();
    }
  }

  /** Resolves when at least one delivery is allowed; rejects once the call failed. */
  whenAvailable(): Promise<void> {
    if (this.failed) return Promise.reject(this.failure);
    if (this.available > 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  /** Records one delivery. */
  consume(): void {
    this.available--;
    this.deliveredTotal++;
  }

  /** Ends the gate: a pending `whenAvailable` rejects with `reason`. */
  fail(reason: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.failure = reason;
    const w = this.waiter;
    this.waiter = undefined;
    w?.reject(reason);
  }

  /** Deliveries allowed now. */
  get remaining(): number {
    return this.available;
  }

  /** Credits granted so far, the initial ones included. */
  get granted(): number {
    return this.grantedTotal;
  }

  /** Responses delivered so far; never more than `granted`. */
  get delivered(): number {
    return this.deliveredTotal;
  }
}

function checkCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new TripleError(`${what} must be a whole number >= 0, got ${String(n)}`, Code.InvalidArgument);
  }
}
