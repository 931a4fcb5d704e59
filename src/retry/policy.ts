import type { RetryCall, RetryPolicy } from "../call/retry-hook.js";
import type { MessageReader } from "../protocol/message-reader.js";
import type { StreamResponseBody } from "../protocol/protocol.js";
import { mayRetry, runAttempts } from "./attempts.js";
import { createRetryBudget, type RetryBudget } from "./budget.js";
import { resolveRetryOptions, type ResolvedRetryOptions, type RetryOptions } from "./options.js";

/** A policy from {@link retryPolicy}: give it to a transport (`retry`) or to one call. */
export interface TripleRetryPolicy extends RetryPolicy {
  /** The options in effect, defaults applied. */
  readonly options: ResolvedRetryOptions;
  /**
   * A policy with some options changed that spends the same budget, for one call's `retry`:
   * `{ retry: policy.with({ force: true }) }` retries a method the proto does not mark idempotent.
   * (The budget's own size stays the one this policy was made with.)
   */
  with(overrides: Omit<RetryOptions, "budget">): TripleRetryPolicy;
}

/**
 * Makes a retry policy, modelled on gRPC's: a call of a method the proto marks `NO_SIDE_EFFECTS`
 * or `IDEMPOTENT` that fails with a retryable code (default `Unavailable`) is attempted again,
 * up to `maxAttempts` (at most 5), after an exponential backoff with jitter or the server's
 * pushback (`Retry-After`, `grpc-retry-pushback-ms`), while the transport's retry budget lasts.
 * The deadline covers every attempt, and an abort ends a backoff at once.
 *
 * What is repeated: a unary call's whole exchange, with the same request bytes; a server stream
 * only while no message has arrived (the policy reads the first message before the call returns
 * its head, so with a policy the response headers arrive with the first message, and in credit
 * mode that one message is read before a credit is granted, then held for it). Client and bidi
 * streams are never retried: their requests are a live stream that is not kept for a second send.
 * Interceptors run once per call, around all attempts.
 *
 * @example
 * const transport = createFetchTransport({ baseUrl, retry: retryPolicy({ maxAttempts: 4 }) });
 */
export function retryPolicy(options: RetryOptions = {}): TripleRetryPolicy {
  return makePolicy(options, new WeakMap());
}

/** A policy over `budgets`, the table of per-transport buckets it shares with its `with()` copies. */
function makePolicy(given: RetryOptions, budgets: WeakMap<object, RetryBudget>): TripleRetryPolicy {
  const options = resolveRetryOptions(given);
  const budgetFor = (transport: object): RetryBudget | undefined => {
    const spec = options.budget;
    if (spec === false) return undefined;
    let budget = budgets.get(transport);
    if (budget === undefined) {
      budget = createRetryBudget(spec.maxTokens, spec.tokenRatio);
      budgets.set(transport, budget);
    }
    return budget;
  };
  return {
    options,
    with: (overrides) => makePolicy({ ...given, ...overrides }, budgets),
    unary<T>(attempt: () => Promise<T>, call: RetryCall, transport: object): Promise<T> {
      if (!mayRetry(call.method, options)) return attempt();
      return runAttempts(attempt, call, options, budgetFor(transport));
    },
    async serverStream<T>(
      attempt: () => Promise<StreamResponseBody<T>>,
      call: RetryCall,
      transport: object,
    ): Promise<StreamResponseBody<T>> {
      if (!mayRetry(call.method, options)) return attempt();
      const { body, first } = await runAttempts(
        async () => {
          const body = await attempt();
          return { body, first: await body.reader.read() };
        },
        call,
        options,
        budgetFor(transport),
      );
      return { header: body.header, trailer: body.trailer, reader: withFirst(first, body.reader) };
    },
  };
}

/** `reader` with the result already read from it put back in front. */
function withFirst<T>(first: ReadableStreamReadResult<T>, reader: MessageReader<T>): MessageReader<T> {
  let held: ReadableStreamReadResult<T> | undefined = first;
  return {
    read() {
      const r = held;
      held = undefined;
      return r !== undefined ? Promise.resolve(r) : reader.read();
    },
    cancel: (reason) => reader.cancel(reason),
  };
}
