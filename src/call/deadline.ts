/**
 * The longest delay `setTimeout` honours (2^31−1 ms, about 24.8 days). Runtimes treat anything
 * longer as an overflow and fire at once (Node, Bun, browsers): a deadline beyond it would end a
 * call immediately with `DeadlineExceeded` instead of never.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The deadline a call really has, in milliseconds, or `undefined` for none. The call's own
 * `timeoutMs` wins over the transport's default whenever it is set, so a call can turn a default
 * off by passing `0` (or `Infinity`). A value that is not a finite number above 0 (`0`, negative,
 * `NaN`, `Infinity`), or one beyond {@link MAX_TIMER_MS} (no timer can hold it, and a deadline of
 * weeks is no deadline in practice), means "no deadline": no timer is started and no timeout
 * header is sent. This is the one place those rules live, so the timer and the header agree.
 */
export function effectiveTimeoutMs(callMs: number | undefined, defaultMs: number | undefined): number | undefined {
  const ms = callMs !== undefined ? callMs : defaultMs;
  if (typeof ms !== "number" || !(ms > 0) || ms > MAX_TIMER_MS) return undefined;
  return ms;
}
