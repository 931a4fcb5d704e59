import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { Transport } from "./transport/transport.js";
import type { CallOptions, ClientOptions, MethodBinding } from "./call-options.js";
import { methodPropertyNames, type MethodProperty } from "./method-names.js";

export type { CallOptions, ClientOptions, MethodBinding } from "./call-options.js";
import { runUnaryCall } from "./call/unary.js";
import { openServerStream, runServerStream } from "./call/server-stream.js";
import { runClientStream, runBidiStream, type StreamInput } from "./call/client-stream.js";
import {
  openBidiStream,
  openClientStream,
  type BidiStreamCall,
  type ClientStreamCall,
  type OpenOptions,
  type ServerStreamCall,
} from "./call/stream-call.js";

/** A unary RPC: one request, one response. */
export type UnaryFn<I extends DescMessage, O extends DescMessage> = (
  request: MessageInitShape<I>,
  options?: CallOptions,
) => Promise<MessageShape<O>>;

/**
 * A server-streaming RPC. The call starts when iteration starts, and the response body is read
 * only as the loop asks for messages: a slow loop slows the server, and `break` cancels the call.
 */
export type ServerStreamFn<I extends DescMessage, O extends DescMessage> = {
  (request: MessageInitShape<I>, options?: CallOptions): AsyncIterable<MessageShape<O>>;
  /**
   * Starts the call with explicit receive flow control: `responses` (pull-based), and with
   * `initialRequest`, manual credits granted by `request(n)`.
   */
  open(request: MessageInitShape<I>, options?: OpenOptions): ServerStreamCall<O>;
};

/** A client-streaming RPC: the requests are pulled from the iterable only as the transport is ready. */
export type ClientStreamFn<I extends DescMessage, O extends DescMessage> = {
  (requests: StreamInput<MessageInitShape<I>>, options?: CallOptions): Promise<MessageShape<O>>;
  /**
   * Starts the call with explicit send flow control: `send` / `isReady` / `ready` / `onReady`,
   * then `close()` and `await call.response`.
   */
  open(options?: OpenOptions): ClientStreamCall<I, O>;
};

/** A bidi-streaming RPC. Needs a transport that can stream request bodies (see the README's table). */
export type BidiStreamFn<I extends DescMessage, O extends DescMessage> = {
  (requests: StreamInput<MessageInitShape<I>>, options?: CallOptions): AsyncIterable<MessageShape<O>>;
  /** Starts the call with flow control on both sides: the send side's readiness, pull-based responses, credits. */
  open(options?: OpenOptions): BidiStreamCall<I, O>;
};

function bind(method: DescMethod, transport: Transport, options: ClientOptions | undefined): MethodBinding {
  return { service: method.parent, method, transport, options: options ?? {} };
}

/**
 * Makes the function for one unary method. Generated clients call this with the method's
 * descriptor and its input and output schemas as type arguments.
 */
export function createUnaryFn<I extends DescMessage, O extends DescMessage>(
  method: DescMethod,
  transport: Transport,
  options?: ClientOptions,
): UnaryFn<I, O> {
  const b = bind(method, transport, options);
  return (request, callOptions) =>
    runUnaryCall(b, request as MessageInitShape<DescMessage>, callOptions) as Promise<MessageShape<O>>;
}

/** Makes the function for one server-streaming method. */
export function createServerStreamFn<I extends DescMessage, O extends DescMessage>(
  method: DescMethod,
  transport: Transport,
  options?: ClientOptions,
): ServerStreamFn<I, O> {
  const b = bind(method, transport, options);
  const fn = (request: MessageInitShape<I>, callOptions?: CallOptions) =>
    runServerStream(b, request as MessageInitShape<DescMessage>, callOptions) as AsyncIterable<MessageShape<O>>;
  return Object.assign(fn, {
    open: (request: MessageInitShape<I>, openOptions?: OpenOptions) => openServerStream<I, O>(b, request, openOptions),
  });
}

/** Makes the function for one client-streaming method. */
export function createClientStreamFn<I extends DescMessage, O extends DescMessage>(
  method: DescMethod,
  transport: Transport,
  options?: ClientOptions,
): ClientStreamFn<I, O> {
  const b = bind(method, transport, options);
  const fn = (requests: StreamInput<MessageInitShape<I>>, callOptions?: CallOptions) =>
    runClientStream(b, requests as StreamInput<MessageInitShape<DescMessage>>, callOptions) as Promise<MessageShape<O>>;
  return Object.assign(fn, { open: (openOptions?: OpenOptions) => openClientStream<I, O>(b, openOptions) });
}

/** Makes the function for one bidi-streaming method. */
export function createBidiStreamFn<I extends DescMessage, O extends DescMessage>(
  method: DescMethod,
  transport: Transport,
  options?: ClientOptions,
): BidiStreamFn<I, O> {
  const b = bind(method, transport, options);
  const fn = (requests: StreamInput<MessageInitShape<I>>, callOptions?: CallOptions) =>
    runBidiStream(b, requests as StreamInput<MessageInitShape<DescMessage>>, callOptions) as AsyncIterable<
      MessageShape<O>
    >;
  return Object.assign(fn, { open: (openOptions?: OpenOptions) => openBidiStream<I, O>(b, openOptions) });
}

/** The method function type for a method descriptor, by its kind. */
export type MethodFn<M extends Pick<DescMethod, "input" | "output" | "methodKind">> = M extends {
  methodKind: "unary";
}
  ? UnaryFn<M["input"], M["output"]>
  : M extends { methodKind: "server_streaming" }
    ? ServerStreamFn<M["input"], M["output"]>
    : M extends { methodKind: "client_streaming" }
      ? ClientStreamFn<M["input"], M["output"]>
      : BidiStreamFn<M["input"], M["output"]>;

/**
 * A client for a service descriptor: one function per method, named as generated clients name
 * them (`say_hello` → `sayHello`, `then` → `then$`; see `methodPropertyNames`).
 */
export type Client<S extends DescService> = {
  [K in keyof S["method"] as K extends string ? MethodProperty<K> : never]: S["method"][K] extends Pick<
    DescMethod,
    "input" | "output" | "methodKind"
  >
    ? MethodFn<S["method"][K]>
    : never;
};

/**
 * A client for any service descriptor from protoc-gen-es, without generated client code. Its
 * properties have the names generated clients use, so switching between the two changes no call
 * site. Two methods whose names collide after lowerCamelCase (`GetFoo`, `get_foo`) get `$1`
 * suffixes at run time that the type cannot express: generate a client for such a service.
 */
export function createClient<S extends DescService>(service: S, transport: Transport, options?: ClientOptions): Client<S> {
  const client: Record<string, unknown> = {};
  const names = methodPropertyNames(service.methods);
  service.methods.forEach((method, i) => {
    client[names[i]!] = createMethodFn(method, transport, options);
  });
  return client as Client<S>;
}

/** The method function for any method descriptor, chosen by its kind at run time. */
export function createMethodFn(method: DescMethod, transport: Transport, options?: ClientOptions): unknown {
  switch (method.methodKind) {
    case "unary":
      return createUnaryFn(method, transport, options);
    case "server_streaming":
      return createServerStreamFn(method, transport, options);
    case "client_streaming":
      return createClientStreamFn(method, transport, options);
    case "bidi_streaming":
      return createBidiStreamFn(method, transport, options);
  }
}
