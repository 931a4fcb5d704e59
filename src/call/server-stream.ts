import type { DescMessage, Message, MessageInitShape } from "@bufbuild/protobuf";
import { iterateResponses, StreamCall, type OpenOptions } from "./stream-call.js";
import type { CallOptions, MethodBinding } from "../call-options.js";

/**
 * Runs a server-streaming call as an async iterable over the call API. The call starts when
 * iteration starts; the response body is read only as the loop asks for messages.
 */
export function runServerStream(
  binding: MethodBinding,
  request: MessageInitShape<DescMessage>,
  options: CallOptions = {},
): AsyncIterable<Message> {
  return {
    [Symbol.asyncIterator]() {
      const call = new StreamCall<DescMessage, DescMessage>(binding, "server_streaming", options as OpenOptions, request);
      return iterateResponses(call);
    },
  };
}
