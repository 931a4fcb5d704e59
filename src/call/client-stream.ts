import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import { iterateResponses, type OpenOptions } from "./response-call.js";
import { StreamCall } from "./stream-call.js";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";

/** Requests for a client or bidi stream: any iterable, sync or async. */
export type StreamInput<T> = AsyncIterable<T> | Iterable<T>;

type Init = MessageInitShape<DescMessage>;

/**
 * Runs a client-streaming call over the call API: the requests are pulled from the iterable only
 * while the call is ready, and the single response is returned.
 */
export async function runClientStream(
  binding: MethodBinding,
  requests: StreamInput<Init>,
  options: CallOptions = {},
): Promise<Message> {
  const call = new StreamCall<DescMessage, DescMessage>(binding, "client_streaming", options as OpenOptions);
  void pumpRequests(call, requests);
  return call.response;
}

/**
 * Runs a bidi call as an async iterable over the call API. The call starts when iteration starts;
 * requests are pulled from the input only while the call is ready; responses are read only as the
 * loop asks; leaving the loop early cancels the call.
 */
export function runBidiStream(
  binding: MethodBinding,
  requests: StreamInput<Init>,
  options: CallOptions = {},
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const call = new StreamCall<DescMessage, DescMessage>(binding, "bidi_streaming", options as OpenOptions);
      void pumpRequests(call, requests);
      return iterateResponses(call);
    },
  };
}

/**
 * Feeds a call from an iterable with backpressure: the next request is taken from the input only
 * when `isReady` (a sync input is drained without yielding while the call stays ready, so the
 * write queue can batch it). Closes the call at the input's end; an input that throws fails the
 * call with that error; a call that fails stops the input (its `return()` runs).
 */
export async function pumpRequests<I extends DescMessage>(
  call: StreamCall<I, DescMessage>,
  requests: StreamInput<MessageInitShape<I>>,
): Promise<void> {
  const sync = !(Symbol.asyncIterator in requests);
  const iterator = sync
    ? (requests as Iterable<MessageInitShape<I>>)[Symbol.iterator]()
    : (requests as AsyncIterable<MessageInitShape<I>>)[Symbol.asyncIterator]();
  let done = false;
  try {
    for (;;) {
      if (!call.isReady) await call.ready;
      const r = sync ? (iterator as Iterator<MessageInitShape<I>>).next() : await iterator.next();
      if (r.done === true) {
        done = true;
        break;
      }
      if (call.error !== undefined) break;
      void call.send(r.value);
    }
    call.close();
  } catch (e) {
    // `ready` rejects once the call failed: that error is the call's, already reported.
    if (call.error === undefined) call.cancel(TripleError.from(e, Code.Unknown));
  } finally {
    if (!done) {
      try {
        await iterator.return?.();
      } catch {
        // The call's error is what the caller sees.
      }
    }
  }
}
