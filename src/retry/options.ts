import { Code } from "../code.js";

/** The most attempts a policy makes, whatever it asks for (gRPC's cap): a failing server sees at most 5. */
export const MAX_ATTEMPTS_CAP = 5;

/** How a policy's retry budget is filled and spent; see {@link RetryOptions.budget}. */
export interface RetryBudgetOptions {
  /** Size of the bucket, in tokens (1–1000). Default 10. */
  maxTokens?: number;
  /** Tokens a successful attempt puts back (0–1, 3 decimals). Default 0.1. */
  tokenRatio?: number;
}

/** Options of {@link retryPolicy}; every one has a default, so `retryPolicy()` is a working policy. */
export interface RetryOptions {
  /** Attempts per call, the first included (2–5; `1` never retries). Default 3. Above 5: 5. */
  maxAttempts?: number;
  /** Ceiling of the first backoff, in ms. Default 100. */
  initialBackoffMs?: number;
  /** Largest backoff ceiling, in ms. Default 5000. */
  maxBackoffMs?: number;
  /** The ceiling grows by this factor per failed attempt (≥ 1). Default 2. */
  backoffMultiplier?: number;
  /**
   * How the wait is drawn below the ceiling: `"full"` anywhere in [0, ceiling) (gRPC's rule; spreads
   * clients the most), `"equal"` in [ceiling/2, ceiling) (never retries almost at once). Default "full".
   */
  jitter?: "full" | "equal";
  /** Codes worth another attempt. Default `[Code.Unavailable]` (unreachable, 502/503/504/429, reset). */
  retryableCodes?: readonly Code[];
  /**
   * Retry methods the proto does not mark `NO_SIDE_EFFECTS` or `IDEMPOTENT`. Default false: a call
   * that may have changed something on the server is not repeated unless the caller says so.
   */
  force?: boolean;
  /**
   * The request header that carries the attempt number (1, 2, …) on every attempt of a call that
   * may be retried, or `false` for none. Default `"tri-retry-attempt"`. A browser sends it only if
   * the server's CORS preflight allows it (an allow-list that names headers must name this one).
   */
  attemptHeader?: string | false;
  /**
   * A token bucket per transport, like gRPC's `retryThrottling`: it starts full, a failed attempt
   * takes one token, a successful one puts `tokenRatio` back, and retries stop while the bucket is
   * at half or less. A server that keeps failing thus sees only first attempts after a few
   * failures, and retries resume as calls succeed again. `false` turns it off. Default
   * `{ maxTokens: 10, tokenRatio: 0.1 }`.
   */
  budget?: RetryBudgetOptions | false;
  /** Random numbers in [0, 1) for the jitter; a seeded one makes tests repeatable. Default `Math.random`. */
  random?: () => number;
}

/** {@link RetryOptions} with every default applied and every value checked. */
export interface ResolvedRetryOptions {
  readonly maxAttempts: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly backoffMultiplier: number;
  readonly jitter: "full" | "equal";
  readonly retryableCodes: readonly Code[];
  readonly force: boolean;
  readonly attemptHeader: string | false;
  readonly budget: { readonly maxTokens: number; readonly tokenRatio: number } | false;
  readonly random: () => number;
}

/**
 * Applies defaults and checks every option once, when the policy is made, so a typo fails at
 * start-up with a `TypeError` naming the option rather than on the first failing call.
 */
export function resolveRetryOptions(options: RetryOptions): ResolvedRetryOptions {
  const maxAttempts = options.maxAttempts ?? 3;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new TypeError(`retryPolicy: maxAttempts must be an integer ≥ 1 (at most ${MAX_ATTEMPTS_CAP} are made), got ${String(maxAttempts)}`);
  }
  const initialBackoffMs = nonNegative("initialBackoffMs", options.initialBackoffMs ?? 100);
  const maxBackoffMs = nonNegative("maxBackoffMs", options.maxBackoffMs ?? Math.max(5000, initialBackoffMs));
  if (maxBackoffMs < initialBackoffMs) {
    throw new TypeError(`retryPolicy: maxBackoffMs (${maxBackoffMs}) is below initialBackoffMs (${initialBackoffMs})`);
  }
  const backoffMultiplier = options.backoffMultiplier ?? 2;
  if (!(backoffMultiplier >= 1) || !Number.isFinite(backoffMultiplier)) {
    throw new TypeError(`retryPolicy: backoffMultiplier must be a finite number ≥ 1, got ${String(backoffMultiplier)}`);
  }
  const jitter = options.jitter ?? "full";
  if (jitter !== "full" && jitter !== "equal") {
    throw new TypeError(`retryPolicy: jitter must be "full" or "equal", got ${String(jitter)}`);
  }
  const retryableCodes = options.retryableCodes ?? [Code.Unavailable];
  for (const code of retryableCodes) {
    if (!(code in Code) || typeof code !== "number") {
      throw new TypeError(`retryPolicy: retryableCodes holds ${String(code)}, which is not a Code`);
    }
  }
  const attemptHeader = options.attemptHeader ?? "tri-retry-attempt";
  if (attemptHeader !== false && !/^[0-9a-z_.-]+$/.test(attemptHeader)) {
    throw new TypeError(`retryPolicy: attemptHeader must be a lower-case header name ([0-9a-z_.-]) or false, got ${String(attemptHeader)}`);
  }
  return {
    maxAttempts: Math.min(maxAttempts, MAX_ATTEMPTS_CAP),
    initialBackoffMs,
    maxBackoffMs,
    backoffMultiplier,
    jitter,
    retryableCodes,
    force: options.force ?? false,
    attemptHeader,
    budget: resolveBudget(options.budget),
    random: options.random ?? Math.random,
  };
}

function resolveBudget(budget: RetryBudgetOptions | false | undefined): ResolvedRetryOptions["budget"] {
  if (budget === false) return false;
  const maxTokens = budget?.maxTokens ?? 10;
  const tokenRatio = budget?.tokenRatio ?? 0.1;
  if (!Number.isFinite(maxTokens) || maxTokens < 1 || maxTokens > 1000) {
    throw new TypeError(`retryPolicy: budget.maxTokens must be between 1 and 1000, got ${String(maxTokens)}`);
  }
  if (!Number.isFinite(tokenRatio) || tokenRatio < 0 || tokenRatio > 1) {
    throw new TypeError(`retryPolicy: budget.tokenRatio must be between 0 and 1, got ${String(tokenRatio)}`);
  }
  return { maxTokens, tokenRatio };
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw new TypeError(`retryPolicy: ${name} must be a finite number of milliseconds ≥ 0, got ${String(value)}`);
  }
  return value;
}
