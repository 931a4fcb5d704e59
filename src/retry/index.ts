/**
 * Retries for Triple calls (`triple-es/retry`), opt-in: a transport or a call is given a policy
 * from {@link retryPolicy}; a client that never imports this entry carries none of its code.
 */
export { retryPolicy, type TripleRetryPolicy } from "./policy.js";
export { MAX_ATTEMPTS_CAP, type RetryOptions, type RetryBudgetOptions, type ResolvedRetryOptions } from "./options.js";
export type { RetryPolicy, RetryCall } from "../call/retry-hook.js";
