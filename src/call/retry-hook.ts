import type { DescMethod } from "@bufbuild/protobuf";
import type { StreamResponseBody } from "../protocol/protocol.js";

/**
 * What the call code tells a retry policy about the call it may repeat. It is the request the
 * interceptors produced (so their headers and URL are final) plus the transport, which keys the
 * policy's retry budget: one budget per transport, however many clients share it.
 */
export interface RetryCall {
  readonly method: DescMethod;
  /** The request headers of every attempt; a policy may set its attempt-number header here. */
  readonly header: Headers;
  /** The call's signal: a caller's abort or the deadline (which covers every attempt) ends waiting. */
  readonly signal: AbortSignal;
  /** The call's deadline in ms (undefined for none), so a policy does not wait past it for nothing. */
  readonly timeoutMs: number | undefined;
}

/**
 * A retry policy as the call code sees it: a function that runs one attempt as many times as the
 * policy allows. Only the type lives in the core; the policy itself (`retryPolicy()` from
 * `triple-es/retry`) is an opt-in import, so a client that never retries bundles none of it.
 *
 * Why a hook at the end of the interceptor chain rather than an interceptor: the attempt it is
 * given starts after serialization and compression (each attempt re-sends the same bytes) and
 * ends when the response is read (for unary) or at the first response message (for server
 * streams), which is exactly the span in which a repeat is invisible to the caller. Interceptors
 * run once per call, as in gRPC, so an auth or tracing interceptor sees one call, not one per
 * attempt; and a per-call `retry` in the call options overrides the transport's without the
 * interceptor chain having to carry call options.
 */
export interface RetryPolicy {
  /**
   * Runs a unary exchange (request sent, response read) until it succeeds or the policy gives up,
   * and returns its result or the `TripleError` to report. `transport` keys the policy's budget.
   */
  unary<T>(attempt: () => Promise<T>, call: RetryCall, transport: object): Promise<T>;
  /**
   * The same for a server stream, whose attempt ends at its response head: a policy that may
   * retry reads the first message (or the end, or the error) before it returns, and repeats the
   * attempt only when that read fails, so no message from a failed attempt reaches the caller.
   */
  serverStream<T>(attempt: () => Promise<StreamResponseBody<T>>, call: RetryCall, transport: object): Promise<StreamResponseBody<T>>;
}
