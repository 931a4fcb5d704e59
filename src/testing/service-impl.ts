import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape, Registry } from "@bufbuild/protobuf";
import type { Compression } from "../compression.js";

/**
 * What a mock handler knows about its call, and how it answers besides the message: the request
 * metadata, response headers and trailers it may fill, and the call's signal, which fires when the
 * client goes away or the deadline the client sent has passed.
 */
export interface HandlerContext {
  readonly service: DescService;
  readonly method: DescMethod;
  /** The request headers as sent (content type, timeout, custom metadata). */
  readonly requestHeader: Headers;
  /** Sent as response headers; fill before the first message of a stream (or the unary return). */
  readonly responseHeader: Headers;
  /** Sent as `trailer-*` headers (unary) or in the end-of-stream frame (streams). */
  readonly responseTrailer: Headers;
  /** Aborted when the client cancels or the deadline in `TRI-Service-Timeout` passes. */
  readonly signal: AbortSignal;
  /** The deadline the client sent, in milliseconds; undefined for none. */
  readonly timeoutMs: number | undefined;
}

/** A unary method: one request, one response (an init object or a message). */
export type UnaryImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => Promise<MessageInitShape<O>> | MessageInitShape<O>;

/** A server-streaming method: an async generator (or any async iterable) of responses. */
export type ServerStreamImpl<I extends DescMessage, O extends DescMessage> = (
  request: MessageShape<I>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

/** A client-streaming method: reads the requests as they arrive, answers once. */
export type ClientStreamImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => Promise<MessageInitShape<O>>;

/** A bidi-streaming method: reads the requests and yields responses, in any interleaving. */
export type BidiStreamImpl<I extends DescMessage, O extends DescMessage> = (
  requests: AsyncIterable<MessageShape<I>>,
  context: HandlerContext,
) => AsyncIterable<MessageInitShape<O>>;

/** The handler type for one method descriptor, chosen by its kind. */
export type MethodImpl<M extends Pick<DescMethod, "input" | "output" | "methodKind">> = M extends { methodKind: "unary" }
  ? UnaryImpl<M["input"], M["output"]>
  : M extends { methodKind: "server_streaming" }
    ? ServerStreamImpl<M["input"], M["output"]>
    : M extends { methodKind: "client_streaming" }
      ? ClientStreamImpl<M["input"], M["output"]>
      : BidiStreamImpl<M["input"], M["output"]>;

/**
 * Handlers for some or all methods of a service, keyed by `localName` as in the generated client
 * (`say`, `sayStream`). A method left out answers `Unimplemented`, as a real server would.
 * To fail a call, throw a `TripleError` with the code, message, metadata and details to send.
 */
export type ServiceImpl<S extends DescService> = {
  [K in keyof S["method"]]?: S["method"][K] extends Pick<DescMethod, "input" | "output" | "methodKind">
    ? MethodImpl<S["method"][K]>
    : never;
};

/** Options of a mock service, shared by the msw handlers and the in-memory transport. */
export interface MockServiceOptions {
  /** Largest request message accepted, in bytes (after decompression). Default 4 MiB. */
  readMaxBytes?: number;
  /** Encodings the mock reads in requests (e.g. `[gzip]`); responses are sent uncompressed. */
  compression?: readonly Compression[];
  /** Needed to read and write `google.protobuf.Any` fields in JSON. */
  registry?: Registry;
  /**
   * Latency added before every handler runs, in milliseconds (a timer, so fake timers drive it).
   * The call's signal ends the wait. For a delay inside a handler use {@link delay}.
   */
  delayMs?: number;
}

/** A service and its handlers, ready to serve (see {@link mockService}). */
export interface MockService {
  readonly service: DescService;
  readonly impl: Readonly<Record<string, unknown>>;
  readonly options: MockServiceOptions;
}

/**
 * Binds a service to its handlers, for {@link createInMemoryTransport} (several services share
 * one transport) and {@link tripleHandlers}.
 */
export function mockService<S extends DescService>(service: S, impl: ServiceImpl<S>, options: MockServiceOptions = {}): MockService {
  for (const name of Object.keys(impl)) {
    if (!service.methods.some((m) => m.localName === name)) {
      throw new TypeError(`mockService: ${service.typeName} has no method "${name}" (handlers are keyed by localName)`);
    }
  }
  return { service, impl: impl as Record<string, unknown>, options };
}
