import type { Message } from "@bufbuild/protobuf";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { applyInterceptors, type StreamRequest, type StreamResponse } from "../interceptors.js";
import { messageStream, type MessageReader } from "../protocol/message-reader.js";
import type { StreamDialect } from "../protocol/protocol.js";
import { tripleStream } from "../protocol-triple/stream.js";
import type { Transport } from "../transport/transport.js";
import type { CallSignal } from "./call-signal.js";
import { callRequestBase } from "./call-request.js";
import type { StreamKind } from "./response-call.js";

/** How a streaming call starts: its body, and how many parsed responses may wait for the reader. */
export interface StreamStart {
  readonly binding: MethodBinding;
  readonly kind: StreamKind;
  readonly options: CallOptions;
  readonly call: CallSignal;
  readonly timeoutMs: number | undefined;
  /**
   * The write queue's output (envelopes) for client and bidi streams; a server stream's single
   * request, enveloped or bare as `bodyKind` says.
   */
  readonly body: Uint8Array | ReadableStream<Uint8Array>;
  readonly bodyKind: "message" | "envelopes";
  readonly highWaterMark: number;
  /** For the transport, when the caller watches upload progress (see HttpRequest). */
  readonly onUploadAcknowledged?: ((totalBytes: number) => void) | undefined;
}

/** The streaming half of the transport's dialect (dubbo-js unless the transport names another). */
export function streamDialect(transport: Transport): StreamDialect {
  const protocol = transport.protocol;
  if (protocol === undefined) return tripleStream;
  if (protocol.stream === undefined) {
    // Only reached by a protocol whose `refuse` let a stream through that it cannot carry.
    throw new TripleError(`the ${protocol.name} protocol carries no streams`, Code.Unimplemented);
  }
  return protocol.stream;
}

/**
 * Starts any kind of streaming call: builds the request, runs the interceptors, and returns the
 * response head with a pull-based stream of messages. Shared by every call kind, dialect and
 * transport.
 */
export function startStream(start: StreamStart): Promise<StreamResponse> {
  const { binding, options, call, timeoutMs } = start;
  const { transport } = binding;
  const dialect = streamDialect(transport);
  const req: StreamRequest = {
    ...callRequestBase(binding, dialect.requestHeaders, {
      kind: start.kind,
      headers: options.headers,
      signal: call.signal,
      timeoutMs,
    }),
    stream: true,
  };
  const next = applyInterceptors((r) => sendStream(transport, dialect, r as StreamRequest, start), transport.interceptors);
  return next(req) as Promise<StreamResponse>;
}

async function sendStream(
  transport: Transport,
  dialect: StreamDialect,
  req: StreamRequest,
  start: StreamStart,
): Promise<StreamResponse> {
  const method = req.method;
  const format = transport.format;
  const attempt = async () =>
    dialect.readResponse<Message>(
      await transport.roundTrip({
        url: req.url,
        headers: req.header,
        body: start.body,
        bodyKind: start.bodyKind,
        signal: req.signal,
        ...(start.onUploadAcknowledged ? { onUploadAcknowledged: start.onUploadAcknowledged } : {}),
      }),
      {
        url: req.url,
        format,
        readMaxBytes: transport.readMaxBytes,
        acceptCompression: transport.acceptCompression,
        parse: (bytes) => format.parse(method.output, bytes),
      },
    );
  // Only a server stream's request is whole bytes that can be sent again (client and bidi
  // streams send a live stream), so only server streams go through the retry policy.
  const retry = start.kind === "server_streaming" ? (start.options.retry ?? transport.retry) : undefined;
  const body = await (retry ? retry.serverStream(attempt, req, transport) : attempt());
  return lazyStreamResponse(body.header, body.reader, body.trailer, start.highWaterMark);
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
