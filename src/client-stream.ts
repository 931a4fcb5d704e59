import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import { createCallSignal } from "./call-signal.js";
import type { CallOptions, MethodBinding } from "./client.js";
import { Code } from "./code.js";
import { TripleError } from "./errors.js";
import { iterateResponses, ITERABLE_HIGH_WATER_MARK } from "./server-stream.js";
import { encodeRequestEnvelope, startStream } from "./stream.js";

/** Requests for a client or bidi stream: any iterable, sync or async. */
export type StreamInput<T> = AsyncIterable<T> | Iterable<T>;

/** Runs a client-streaming call: sends every request, then returns the single response. */
export async function runClientStream(
  binding: MethodBinding,
  requests: StreamInput<MessageInitShape<DescMessage>>,
  options: CallOptions = {},
): Promise<Message> {
  let result: Message | undefined;
  for await (const message of runBidiStream(binding, requests, options)) {
    if (result !== undefined) {
      throw new TripleError("the server sent more than one response to a client-streaming call", Code.Internal);
    }
    result = message;
  }
  if (result === undefined) {
    throw new TripleError("the server ended a client-streaming call without a response", Code.Internal);
  }
  return result;
}

/** Runs a bidi call; requests are pulled from the iterable only as the request body is read. */
export function runBidiStream(
  binding: MethodBinding,
  requests: StreamInput<MessageInitShape<DescMessage>>,
  options: CallOptions = {},
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const timeoutMs = options.timeoutMs ?? binding.transport.timeoutMs;
      const call = createCallSignal(options.signal, timeoutMs);
      const body = requestBody(binding, requests);
      const response = startStream({ binding, options, call, timeoutMs, body, highWaterMark: ITERABLE_HIGH_WATER_MARK });
      return iterateResponses(response, call, options)[Symbol.asyncIterator]();
    },
  };
}

function requestBody(
  binding: MethodBinding,
  requests: StreamInput<MessageInitShape<DescMessage>>,
): ReadableStream<Uint8Array> {
  const input = binding.method.input;
  const iterator =
    Symbol.asyncIterator in requests
      ? requests[Symbol.asyncIterator]()
      : (requests as Iterable<MessageInitShape<DescMessage>>)[Symbol.iterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const r = await iterator.next();
        if (r.done === true) {
          controller.close();
          return;
        }
        controller.enqueue(await encodeRequestEnvelope(binding.transport, input, create(input, r.value)));
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
