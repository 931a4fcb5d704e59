/**
 * The retry budget of one transport, gRPC's `retryThrottling`: a bucket of `maxTokens` that starts
 * full; every attempt that fails with a retryable code takes one token, every successful attempt
 * puts `tokenRatio` back, and a retry is allowed only while more than half the bucket is left. Only
 * calls the policy may retry are counted (a method not marked idempotent is neither).
 *
 * Why: retries multiply load exactly when a server is struggling. With the defaults (10, 0.1) a
 * run of failures stops retries after 5 failed attempts, so an overloaded server sees first
 * attempts only; about 10 successes per lost token refill it, so retries come back once most
 * calls succeed again. Tokens are counted in thousandths so that ratios such as 0.1 add up exactly.
 */
export interface RetryBudget {
  /** Whether a failed call may be attempted again now. */
  canRetry(): boolean;
  onFailure(): void;
  onSuccess(): void;
}

/** A full bucket. */
export function createRetryBudget(maxTokens: number, tokenRatio: number): RetryBudget {
  const max = Math.round(maxTokens * 1000);
  const refill = Math.round(tokenRatio * 1000);
  let tokens = max;
  return {
    canRetry: () => tokens > max / 2,
    onFailure() {
      tokens = Math.max(0, tokens - 1000);
    },
    onSuccess() {
      tokens = Math.min(max, tokens + refill);
    },
  };
}
