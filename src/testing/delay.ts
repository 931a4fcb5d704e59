import { TripleError } from "../errors.js";

/**
 * Waits `ms` milliseconds on a timer (so `vi.useFakeTimers()` drives it), or rejects with the
 * signal's reason as a `TripleError` as soon as `signal` fires: a handler that sleeps on its
 * context's signal stops when the client cancels, as a real server's would.
 *
 * @example async *tick(req, ctx) { for (;;) { await delay(1000, ctx.signal); yield { now: Date.now() }; } }
 */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.reject(TripleError.from(signal.reason));
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(TripleError.from(signal!.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
