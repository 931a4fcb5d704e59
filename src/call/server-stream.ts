import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { StreamResponse } from "../interceptors.js";
import { encodeEnvelope, FLAG_COMPRESSED } from "../protocol/envelope.js";
import { iterateResponses, ResponseCall, type OpenOptions, type ServerStreamCall } from "./response-call.js";
import { serializeChecked } from "./serialize.js";
import { streamDialect } from "./stream.js";

/**
 * A server-streaming call: one request, sent as one whole body, and the responses.
 *
 * The request is known before the call starts, so it needs none of the write queue's machinery
 * (readiness, batching, a streamed body, the detection of request streaming): it is serialized
 * once, enveloped (or left bare, as the Java dialect wants), and handed to the transport as bytes
 * that every transport and runtime can send.
 */
export class ServerStream<O extends DescMessage> extends ResponseCall<O> {
  constructor(binding: MethodBinding, options: OpenOptions, request: MessageInitShape<DescMessage>) {
    super(binding, "server_streaming", options);
    const { transport, method } = binding;
    // A call the dialect's servers cannot carry fails before anything is sent.
    const refused = transport.protocol?.refuse("server_streaming", transport.format, this.url);
    let started: Promise<StreamResponse>;
    if (refused !== undefined) {
      started = Promise.reject(refused);
    } else {
      let payload: Uint8Array;
      try {
        payload = serializeChecked(transport, method.input, create(method.input, request) as Message);
      } catch (e) {
        this.signal.done(); // a request that does not serialize must not leave a deadline timer behind
        throw e;
      }
      started = streamDialect(transport).serverStreamRequest === "message" ? this.begin(payload, "message") : this.sendEnveloped(payload);
    }
    this.launch(started);
  }

  /**
   * Not part of the typed API (a server stream's one request went with the call), but plain-JS
   * callers that try it get a clear error rather than "send is not a function".
   */
  send(): never {
    throw new TripleError("a server-streaming call has no more requests to send", Code.FailedPrecondition);
  }

  /** Sends the request as one envelope, compressed when the transport says so and it is big enough. */
  private async sendEnveloped(payload: Uint8Array): Promise<StreamResponse> {
    const { sendCompression, compressMinBytes } = this.binding.transport;
    const compress = sendCompression !== undefined && payload.byteLength >= compressMinBytes;
    let body: Uint8Array;
    try {
      body = compress ? encodeEnvelope(FLAG_COMPRESSED, await sendCompression.compress(payload)) : encodeEnvelope(0, payload);
    } catch (e) {
      throw new TripleError(`failed to compress the request: ${String(e)}`, Code.Internal, { cause: e });
    }
    if (this.failure !== undefined) throw this.failure;
    return this.begin(body, "envelopes");
  }
}

/** Opens a server-streaming call with its single request. */
export function openServerStream<I extends DescMessage, O extends DescMessage>(
  binding: MethodBinding,
  request: MessageInitShape<I>,
  options: OpenOptions = {},
): ServerStreamCall<O> {
  return new ServerStream<O>(binding, options, request as MessageInitShape<DescMessage>);
}

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
      return iterateResponses(new ServerStream<DescMessage>(binding, options as OpenOptions, request));
    },
  };
}
