import type { DescMethod } from "@bufbuild/protobuf";
import { TripleError } from "../errors.js";
import { MAX_TIMER_MS } from "../call/deadline.js";
import type { RetryCall } from "../call/retry-hook.js";
import { backoffMs } from "./backoff.js";
import type { RetryBudget } from "./budget.js";
import type { ResolvedRetryOptions } from "./options.js";
import { pushbackOf } from "./pushback.js";
import { sleep } from "./sleep.js";

/**
 * Whether a call of `method` may be repeated: the proto says the method changes nothing
 * (`NO_SIDE_EFFECTS`) or changes nothing more when repeated (`IDEMPOTENT`), or the caller forced it.
 * A failed attempt may have reached the server (a reset after the request was read looks like an
 * unreachable server), so anything else could run twice.
 */
export function mayRetry(method: DescMethod, options: ResolvedRetryOptions): boolean {
  if (options.maxAttempts < 2) return false;
  // MethodOptions_IdempotencyLevel's NO_SIDE_EFFECTS (1) and IDEMPOTENT (2), as numbers: the
  // enum object lives in protobuf-es's descriptor module, which is not worth bundling for two ints.
  const level: number = method.idempotency;
  return options.force || level === 1 || level === 2;
}

/**
 * Runs `attempt` up to `maxAttempts` times: each failure with a retryable code waits (the
 * server's pushback, else the backoff) and tries again, unless the pushback says stop or the
 * budget is spent. The caller's abort and the deadline end a wait at once with their own error.
 * A pushback longer than what is left of the deadline ends the call at once with the server's
 * error (waiting could only end in DeadlineExceeded); a backoff is waited out, and the deadline
 * ends it. Each attempt carries its number in the attempt header. The error reported after more than one
 * attempt, or when a retryable failure was not retried, is the last attempt's code with a message
 * that says how many attempts were made and why there was no other.
 */
export async function runAttempts<T>(
  attempt: () => Promise<T>,
  call: RetryCall,
  options: ResolvedRetryOptions,
  budget: RetryBudget | undefined,
): Promise<T> {
  const startedAt = Date.now();
  for (let n = 1; ; n++) {
    if (options.attemptHeader !== false) call.header.set(options.attemptHeader, String(n));
    if (n > 1 && call.timeoutMs !== undefined) sendRemainingDeadline(call.header, call.timeoutMs - (Date.now() - startedAt));
    let error: TripleError;
    try {
      const result = await attempt();
      budget?.onSuccess();
      return result;
    } catch (e) {
      // An abort (caller, deadline) is the call's end, not a failure to retry.
      if (call.signal.aborted) throw e;
      error = TripleError.from(e);
    }
    if (!options.retryableCodes.includes(error.code)) {
      throw n > 1 ? gaveUp(error, n, "its code is not retryable") : error;
    }
    budget?.onFailure();
    if (n >= options.maxAttempts) throw gaveUp(error, n, `the policy allows ${options.maxAttempts}`);
    const pushback = pushbackOf(error.metadata, Date.now());
    if (pushback.kind === "stop") throw gaveUp(error, n, pushback.why);
    if (budget !== undefined && !budget.canRetry()) {
      throw gaveUp(error, n, "the transport's retry budget is spent (too many failed attempts lately)");
    }
    if (pushback.kind === "wait") {
      // A wait the server asks for that outlasts the deadline (or any timer) could only end in
      // DeadlineExceeded: report the server's error now instead.
      const leftMs = call.timeoutMs === undefined ? MAX_TIMER_MS : call.timeoutMs - (Date.now() - startedAt);
      if (pushback.ms > leftMs) {
        throw gaveUp(error, n, `the server asks to wait ${pushback.ms} ms, ${call.timeoutMs === undefined ? "longer than a timer can" : "past the call's deadline"}`);
      }
    }
    await sleep(pushback.kind === "wait" ? pushback.ms : backoffMs(n, options), call.signal);
  }
}

/**
 * The deadline headers (dubbo-js and Java read `tri-service-timeout`, dubbo-go `triple-timeout-ms`;
 * the gateway turns the first into `grpc-timeout`) of a repeated attempt say what is left of the
 * call's deadline, not the whole of it again: a server must not work past the moment the client
 * gives up. Only headers the dialect set are rewritten.
 */
function sendRemainingDeadline(header: Headers, leftMs: number): void {
  const value = String(Math.max(1, Math.ceil(leftMs)));
  for (const name of ["tri-service-timeout", "triple-timeout-ms"]) {
    if (header.has(name)) header.set(name, value);
  }
}

/** The last attempt's error, its message saying how many attempts were made and why no more. */
function gaveUp(last: TripleError, attempts: number, why: string): TripleError {
  const made = attempts === 1 ? "1 attempt" : `${attempts} attempts`;
  return new TripleError(`${last.rawMessage} (${made} made; no more: ${why})`, last.code, {
    metadata: last.metadata,
    details: last.details,
    cause: last,
  });
}
