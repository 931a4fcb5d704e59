import type { Message } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import type { CallSignal } from "./call-signal.js";
import { callRequestBase } from "./call-request.js";
import type { CallOptions, MethodBinding } from "../client.js";
import { findCompression } from "../compression.js";
import { TripleError } from "../errors.js";
import { applyInterceptors, type StreamRequest, type StreamResponse } from "../interceptors.js";
import { contentType, parseContentType } from "../protocol-triple/content-type.js";
import { errorFromHttpResponse, parseErrorText, unexpectedContentType } from "../protocol/error-json.js";
import { messageStream, StreamBodyReader, type MessageReader } from "../protocol-triple/stream-body.js";
import { readErrorText } from "../protocol/read-body.js";
import { httpVersionRefusedError } from "./request-streaming.js";
import type { Transport } from "../transport/transport.js";

/** How a streaming call starts: its body, and how many parsed responses may wait for the reader. */
export interface StreamStart {
  readonly binding: MethodBinding;
  readonly options: CallOptions;
  readonly call: CallSignal;
  readonly timeoutMs: number | undefined;
  /** One envelope for server streams; the write queue's output for client and bidi streams. */
  readonly body: Uint8Array | ReadableStream<Uint8Array>;
  readonly highWaterMark: number;
}

/**
 * Starts any kind of streaming call: builds the request, runs the interceptors, and returns the
 * response head with a pull-based stream of messages. Shared by every call kind and transport.
 */
export function startStream(start: StreamStart): Promise<StreamResponse> {
  const { binding, options, call, timeoutMs } = start;
  const { transport } = binding;
  const req: StreamRequest = {
    ...callRequestBase(binding, { stream: true, headers: options.headers, signal: call.signal, timeoutMs }),
    stream: true,
  };
  const next = applyInterceptors(
    (r) => sendStream(transport, r as StreamRequest, start.body, start.highWaterMark),
    transport.interceptors,
  );
  return next(req) as Promise<StreamResponse>;
}

async function sendStream(
  transport: Transport,
  req: StreamRequest,
  body: Uint8Array | ReadableStream<Uint8Array>,
  highWaterMark: number,
): Promise<StreamResponse> {
  const { format } = transport;
  const res = await transport.roundTrip({ url: req.url, headers: req.header, body, signal: req.signal });
  if (res.status === 505) {
    void res.body?.cancel().catch(() => {});
    throw httpVersionRefusedError(req.url, res.headers);
  }
  if (res.status !== 200) {
    throw errorFromHttpResponse(res.status, res.headers, await readErrorText(res.body));
  }
  const type = parseContentType(res.headers.get("content-type"));
  if (type === undefined || !type.stream || type.subtype !== format.subtype) {
    // A server that fails before streaming may answer 200 with a unary-style JSON error.
    const text = await readErrorText(res.body);
    throw parseErrorText(res.headers, text) ?? unexpectedContentType(res.headers, contentType(format, true), text);
  }
  const encoding = res.headers.get("connect-content-encoding");
  const compression = findCompression(transport.acceptCompression, encoding);
  if (compression === undefined) {
    throw new TripleError(`the server compressed the stream with "${encoding}", which this client did not offer`, Code.Internal);
  }
  if (res.body === null) {
    throw new TripleError("the stream response has no body", Code.Internal);
  }
  let settle!: (trailer: Headers) => void;
  let fail!: (error: TripleError) => void;
  const trailer = new Promise<Headers>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // Nobody is obliged to look at the trailer; its failure is reported through the messages too.
  trailer.catch(() => {});
  const method = req.method;
  const reader = new StreamBodyReader<Message>({
    body: res.body,
    parse: (bytes) => format.parse(method.output, bytes),
    compression,
    readMaxBytes: transport.readMaxBytes,
    header: res.headers,
    onEnd: (end) => (end.error === undefined ? settle(end.trailer) : fail(end.error)),
  });
  return lazyStreamResponse(res.headers, reader, trailer, highWaterMark);
}

const DIRECT_READER = Symbol("triple-es.directReader");

interface DirectResponse extends StreamResponse {
  /** The decoder itself, as long as nobody asked for (or replaced) `messages`. */
  readonly [DIRECT_READER]: () => MessageReader<Message> | undefined;
}

/**
 * A stream response whose `messages` ReadableStream is made only when someone asks for it: an
 * interceptor that looks at the messages gets a real stream (and may replace it), while calls
 * whose interceptors leave it alone read the decoder directly, without a stream layer per message.
 */
function lazyStreamResponse(
  header: Headers,
  reader: MessageReader<Message>,
  trailer: Promise<Headers>,
  highWaterMark: number,
): StreamResponse {
  let messages: ReadableStream<Message> | undefined;
  const response: DirectResponse = {
    stream: true,
    header,
    trailer,
    get messages() {
      messages ??= messageStream(reader, highWaterMark);
      return messages;
    },
    set messages(replacement) {
      messages = replacement;
    },
    [DIRECT_READER]: () => (messages === undefined ? reader : undefined),
  };
  return response;
}

/** How a call reads a stream response's messages: directly when it can, else through `messages`. */
export function responseReader(res: StreamResponse): MessageReader<Message> {
  return (res as Partial<DirectResponse>)[DIRECT_READER]?.() ?? res.messages.getReader();
}
