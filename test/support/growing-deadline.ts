/**
 * Runs a "deadline mid-stream" case without betting on the machine's speed. `attempt(timeoutMs)`
 * opens a server stream whose server sends one message at once and then waits far past any
 * deadline, and reports how many messages arrived before the call ended. The case needs that
 * first message to arrive before the deadline, and how soon it does depends on how busy the
 * machine is: when the deadline came first (nothing received), the case runs again with twice the
 * deadline, from `firstMs` up to `lastMs`. A quick machine spends `firstMs`; a loaded one gets the
 * time it needs; the caller's assertions (DeadlineExceeded, exactly one message) stay exact.
 * Plain TypeScript with no imports, for Node, Deno, workerd and browser test code alike.
 */
export async function withGrowingDeadline<R extends { received: number }>(
  attempt: (timeoutMs: number) => Promise<R>,
  firstMs = 2_000,
  lastMs = 16_000,
): Promise<R & { timeoutMs: number }> {
  for (let timeoutMs = firstMs; ; timeoutMs *= 2) {
    const r = await attempt(timeoutMs);
    if (r.received > 0 || timeoutMs >= lastMs) return { ...r, timeoutMs };
  }
}

/** Worst-case time of {@link withGrowingDeadline} with its defaults (2 + 4 + 8 + 16 s), plus room. */
export const GROWING_DEADLINE_CASE_MS = 40_000;
