import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import { createCallSignal, type CallSignal } from "./call-signal.js";
import type { CallOptions, MethodBinding } from "./client.js";
import { Code } from "./code.js";
import { TripleError } from "./errors.js";
import type { StreamResponse } from "./interceptors.js";
import { encodeRequestEnvelope, startStream } from "./stream.js";

/** How many parsed messages an async-iterable stream keeps ready ahead of the loop. */
export const ITERABLE_HIGH_WATER_MARK = 1;

/** Runs a server-streaming call as an async iterable that starts when iteration starts. */
export function runServerStream(
  binding: MethodBinding,
  request: MessageInitShape<DescMessage>,
  options: CallOptions = {},
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const timeoutMs = options.timeoutMs ?? binding.transport.timeoutMs;
      const call = createCallSignal(options.signal, timeoutMs);
      const response = (async () => {
        const message = create(binding.method.input, request);
        const body = await encodeRequestEnvelope(binding.transport, binding.method.input, message);
        return startStream({ binding, options, call, timeoutMs, body, highWaterMark: ITERABLE_HIGH_WATER_MARK });
      })();
      return iterateResponses(response, call, options)[Symbol.asyncIterator]();
    },
  };
}

/**
 * Turns a stream response into an async generator: each `next()` reads one message (so the body
 * is read only as the loop advances); leaving the loop early cancels the call; every failure
 * comes out as the call's TripleError.
 */
export async function* iterateResponses(
  response: Promise<StreamResponse>,
  call: CallSignal,
  options: CallOptions,
): AsyncGenerator<Message, void, undefined> {
  let reader: ReadableStreamDefaultReader<Message> | undefined;
  let finished = false;
  try {
    const res = await response;
    options.onHeader?.(res.header);
    reader = res.messages.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      yield r.value;
    }
    const trailer = await res.trailer;
    finished = true;
    options.onTrailer?.(trailer);
  } catch (e) {
    finished = true;
    throw call.error(e);
  } finally {
    if (!finished) {
      // The loop left early (break, return, a throw in its body): cancel the call upstream.
      const reason = new TripleError("the stream's consumer stopped reading", Code.Canceled);
      call.abort(reason);
      reader?.cancel(reason).catch(() => {});
    }
    response.catch(() => {});
    call.done();
  }
}
