import type { ResolvedRetryOptions } from "./options.js";

/**
 * The wait before the attempt after failed attempt number `failed` (1 for the first failure), in
 * ms. The ceiling grows exponentially (initial × multiplier^(failed−1), capped at maxBackoffMs)
 * and the wait is drawn below it, so clients that failed together do not come back together.
 */
export function backoffMs(failed: number, options: ResolvedRetryOptions): number {
  const ceiling = Math.min(options.initialBackoffMs * options.backoffMultiplier ** (failed - 1), options.maxBackoffMs);
  const r = options.random();
  return options.jitter === "full" ? r * ceiling : ceiling / 2 + (r * ceiling) / 2;
}
