import { Code } from "../code.js";
import { TripleError } from "../errors.js";

/**
 * The life of one call: one AbortSignal that fires on the caller's abort, on the local deadline,
 * or when the call is given up; and the rule that turns whatever a call ends with into the
 * TripleError the caller sees.
 */
export interface CallSignal {
  readonly signal: AbortSignal;
  /** Ends the call early with `reason`; later aborts are ignored. */
  abort(reason: TripleError): void;
  /**
   * The error to report for `reason`. Once the call was aborted, the abort's reason wins over
   * whatever secondary error the abort caused (a failed read, a closed stream), so a deadline
   * always reads as DeadlineExceeded and an abort as Canceled.
   */
  error(reason: unknown): TripleError;
  /** Releases the timer and the listener on the caller's signal. */
  done(): void;
}

/**
 * Starts a call's signal. The deadline is enforced here, locally, because a server may ignore
 * `TRI-Service-Timeout` (dubbo-js over HTTP/1.1 does) and the caller's deadline must hold anyway.
 */
export function createCallSignal(user: AbortSignal | undefined, timeoutMs: number | undefined): CallSignal {
  const controller = new AbortController();
  const abort = (reason: TripleError) => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (timeoutMs !== undefined) {
    timer = setTimeout(
      () => abort(new TripleError(`the deadline of ${timeoutMs} ms was exceeded`, Code.DeadlineExceeded)),
      Math.max(0, timeoutMs),
    );
  }
  const onUserAbort = () => abort(canceledBy(user?.reason));
  if (user !== undefined) {
    if (user.aborted) onUserAbort();
    else user.addEventListener("abort", onUserAbort, { once: true });
  }
  return {
    signal: controller.signal,
    abort,
    error(reason) {
      if (controller.signal.aborted) return TripleError.from(controller.signal.reason);
      return TripleError.from(reason, Code.Unknown);
    },
    done() {
      if (timer !== undefined) clearTimeout(timer);
      user?.removeEventListener("abort", onUserAbort);
    },
  };
}

function canceledBy(reason: unknown): TripleError {
  if (reason instanceof TripleError) return reason;
  return new TripleError("the call was aborted by its signal", Code.Canceled, { cause: reason });
}

/**
 * `promise`, or a rejection with the signal's reason as a TripleError once the signal fires
 * first: for waits that must end when a call is aborted (a session, a slot, a handler) without
 * cancelling the thing waited for.
 */
export function untilAborted<T>(promise: PromiseLike<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(TripleError.from(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(TripleError.from(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
