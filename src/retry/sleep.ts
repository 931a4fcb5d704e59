/**
 * Waits `ms`, or rejects with the signal's reason as soon as it aborts (the caller's cancel, the
 * call's deadline), so a call never outlives its deadline in a backoff. `setTimeout` is looked up
 * at call time, so fake timers installed by a test apply.
 */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}
