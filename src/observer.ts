/**
 * The StreamObserver API of Dubbo Java (and gRPC Java), for users who know it: an opt-in import,
 * `triple-es/observer`, built on the call API (`src/call.ts`), so it has the same flow control.
 *
 * ```ts
 * import { createObserverClient } from "triple-es/observer";
 * const service = createObserverClient(BackpressureService, transport);
 * const requestObserver = service.clientStream({
 *   beforeStart(requestStream) {
 *     requestStream.disableAutoFlowControl();
 *     requestStream.setOnReadyHandler(() => {
 *       while (requestStream.isReady() && sent < sendCount) requestStream.onNext(next());
 *       if (sent >= sendCount) requestStream.onCompleted();
 *     });
 *   },
 *   onNext(response) {}, onError(error) {}, onCompleted() {},
 * });
 * ```
 *
 * Java semantics kept: flow control is configured only inside `beforeStart` (called before the
 * call starts); the onReady handler runs once when the call is first ready and on each later
 * transition to ready, never re-entrantly; `disableAutoRequestWithInitial(n)` switches to manual
 * credits (`request(n)` grants more); `disableAutoFlowControl()` is the same with 1.
 * Callbacks run on the event loop, one at a time; an `onNext` that throws cancels the call.
 */
import type { DescMessage, DescMethod, DescService, MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import type { OpenOptions, ResponseCall, StreamKind } from "./call/response-call.js";
import { ServerStream } from "./call/server-stream.js";
import { reportCallbackError } from "./report-callback-error.js";
import { StreamCall } from "./call/stream-call.js";
import { createUnaryFn, type CallOptions, type ClientOptions, type MethodBinding } from "./client.js";
import { Code } from "./code.js";
import { TripleError } from "./errors.js";
import type { Transport } from "./transport/transport.js";
import { methodPropertyNames, type MethodProperty } from "./method-names.js";

/** Receives a stream of values: Java's `StreamObserver<T>`. */
export interface StreamObserver<T> {
  onNext(value: T): void;
  /** The call failed; always a TripleError here. No other callback follows. */
  onError(error: TripleError): void;
  onCompleted(): void;
}

/** Java's `CallStreamObserver<T>`: a request stream with flow control. */
export interface CallStreamObserver<T> extends StreamObserver<T> {
  /** Whether a request sent now would not wait (the send queue is below its high-water mark). */
  isReady(): boolean;
  /** The handler run when the stream becomes ready; it should loop "while isReady, send". */
  setOnReadyHandler(onReadyHandler: () => void): void;
  /** In manual mode, allows `count` more responses to be delivered. */
  request(count: number): void;
  /** Manual receive flow control with one initial credit (as gRPC Java). Only in `beforeStart`. */
  disableAutoFlowControl(): void;
  /** The gRPC-compatible name of `disableAutoFlowControl`. */
  disableAutoInboundFlowControl(): void;
}

/** Java's `ClientCallStreamObserver<ReqT>`. */
export interface ClientCallStreamObserver<Req> extends CallStreamObserver<Req> {
  /** Manual receive flow control with `request` initial credits (0: none). Only in `beforeStart`. */
  disableAutoRequestWithInitial(request: number): void;
  /** Cancels the call: the server sees the cancel, the response observer gets `Canceled`. */
  cancel(message?: string, cause?: unknown): void;
}

/** Java's `ClientResponseObserver<ReqT, RespT>`: a response observer that configures the call first. */
export interface ClientResponseObserver<Req, Res> extends StreamObserver<Res> {
  /**
   * Called before the call starts, with the request stream: the only place to call
   * `setOnReadyHandler`, `disableAutoRequestWithInitial` and `disableAutoFlowControl`.
   * Do not send (`onNext`, `onCompleted`) from here.
   */
  beforeStart?(requestStream: ClientCallStreamObserver<Req>): void;
}

/** The observer-style method for one method kind. */
export type ObserverMethod<M extends Pick<DescMethod, "input" | "output" | "methodKind">> = M extends {
  methodKind: "unary";
}
  ? (request: MessageInitShape<M["input"]>, responseObserver: StreamObserver<MessageShape<M["output"]>>) => void
  : M extends { methodKind: "server_streaming" }
    ? (
        request: MessageInitShape<M["input"]>,
        responseObserver: ClientResponseObserver<MessageInitShape<M["input"]>, MessageShape<M["output"]>> | StreamObserver<MessageShape<M["output"]>>,
      ) => void
    : (
        responseObserver: ClientResponseObserver<MessageInitShape<M["input"]>, MessageShape<M["output"]>> | StreamObserver<MessageShape<M["output"]>>,
      ) => ClientCallStreamObserver<MessageInitShape<M["input"]>>;

/** A client whose methods take observers, named as `createClient` and generated clients name them. */
export type ObserverClient<S extends DescService> = {
  [K in keyof S["method"] as K extends string ? MethodProperty<K> : never]: S["method"][K] extends Pick<DescMethod, "input" | "output" | "methodKind">
    ? ObserverMethod<S["method"][K]>
    : never;
};

/** Per-call settings for observer methods: the call options, plus the send queue's mark. */
export type ObserverCallOptions = CallOptions & Pick<OpenOptions, "sendHighWaterMarkBytes">;

/**
 * A client for `service` with Java-style observer methods: `unary(request, observer)`,
 * `serverStream(request, observer)`, and `clientStream(observer)` / `bidiStream(observer)`
 * returning the request observer.
 */
export function createObserverClient<S extends DescService>(
  service: S,
  transport: Transport,
  options?: ClientOptions & { callOptions?: ObserverCallOptions },
): ObserverClient<S> {
  const client: Record<string, unknown> = {};
  const callOptions = options?.callOptions ?? {};
  const names = methodPropertyNames(service.methods);
  service.methods.forEach((method, i) => {
    const name = names[i]!;
    const binding: MethodBinding = { service, method, transport, options: options ?? {} };
    switch (method.methodKind) {
      case "unary": {
        const fn = createUnaryFn(method, transport, options);
        client[name] = (request: MessageInitShape<DescMessage>, observer: StreamObserver<unknown>) => {
          fn(request, callOptions)
            .then(
              (response) => {
                observer.onNext(response);
                observer.onCompleted();
              },
              (e: unknown) => observer.onError(TripleError.from(e)),
            )
            .catch((e: unknown) => reportCallbackError(e, "a StreamObserver callback"));
        };
        break;
      }
      case "server_streaming":
        client[name] = (request: MessageInitShape<DescMessage>, observer: StreamObserver<unknown>) => {
          startObserved(binding, "server_streaming", observer, callOptions, request);
        };
        break;
      default: {
        const kind = method.methodKind;
        client[name] = (observer: StreamObserver<unknown>) =>
          startObserved(binding, kind, observer, callOptions, undefined);
      }
    }
  });
  return client as ObserverClient<S>;
}

/**
 * Runs one streaming call for a response observer: `beforeStart`, then the call with the
 * configuration it chose, then delivery of responses to the observer.
 */
function startObserved(
  binding: MethodBinding,
  kind: StreamKind,
  responseObserver: ClientResponseObserver<unknown, unknown> | StreamObserver<unknown>,
  callOptions: ObserverCallOptions,
  request: MessageInitShape<DescMessage> | undefined,
): ClientCallStreamObserver<unknown> {
  const requestStream = new RequestStream(kind);
  if ("beforeStart" in responseObserver && responseObserver.beforeStart !== undefined) {
    responseObserver.beforeStart(requestStream);
  }
  const open: OpenOptions = { ...callOptions };
  if (requestStream.initialRequest !== undefined) open.initialRequest = requestStream.initialRequest;
  const call =
    kind === "server_streaming"
      ? new ServerStream<DescMessage>(binding, open, request ?? {})
      : new StreamCall<DescMessage, DescMessage>(binding, kind, open);
  requestStream.start(call);
  deliver(call, responseObserver).catch((e: unknown) => reportCallbackError(e, "a StreamObserver callback"));
  return requestStream;
}

/** Reads the responses into the observer; in manual mode the call's credit gate paces the reads. */
async function deliver(call: ResponseCall<DescMessage>, observer: StreamObserver<unknown>): Promise<void> {
  const reader = call.responses.getReader();
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      try {
        observer.onNext(r.value);
      } catch (e) {
        call.cancel(new TripleError(`onNext threw: ${String(e)}`, Code.Canceled, { cause: e }));
        throw call.error;
      }
    }
    await call.trailer;
  } catch (e) {
    observer.onError(call.error ?? TripleError.from(e));
    return;
  }
  observer.onCompleted();
}

/** The call behind an observer: a server stream, or a client/bidi stream with its send side. */
type ObservedCall = ServerStream<DescMessage> | StreamCall<DescMessage, DescMessage>;

/**
 * The request side handed to `beforeStart` and returned to the caller: Java's
 * `ClientCallStreamObserver`. Configuration is accepted only before the call starts.
 */
class RequestStream implements ClientCallStreamObserver<unknown> {
  initialRequest: number | undefined;
  private readonly kind: StreamKind;
  private call: ObservedCall | undefined;
  private onReadyHandler: (() => void) | undefined;

  constructor(kind: StreamKind) {
    this.kind = kind;
  }

  /** Binds the started call; the onReady handler chosen in `beforeStart` takes effect now. */
  start(call: ObservedCall): void {
    this.call = call;
    if (this.onReadyHandler !== undefined && call instanceof StreamCall) call.onReady(this.onReadyHandler);
  }

  /** Whether a request sent now would not wait; always false for a server stream, whose one request is sent. */
  isReady(): boolean {
    return this.call instanceof StreamCall ? this.call.isReady : false;
  }

  setOnReadyHandler(onReadyHandler: () => void): void {
    this.beforeStartOnly("setOnReadyHandler");
    this.onReadyHandler = onReadyHandler;
  }

  disableAutoRequestWithInitial(request: number): void {
    this.beforeStartOnly("disableAutoRequestWithInitial");
    this.initialRequest = request;
  }

  disableAutoFlowControl(): void {
    this.disableAutoRequestWithInitial(1);
  }

  disableAutoInboundFlowControl(): void {
    this.disableAutoFlowControl();
  }

  request(count: number): void {
    this.started("request").request(count);
  }

  onNext(value: unknown): void {
    const call = this.started("onNext");
    if (!(call instanceof StreamCall)) {
      throw new TripleError("onNext(): a server-streaming call sent its one request already", Code.FailedPrecondition);
    }
    void call.send(value as MessageInitShape<DescMessage>);
  }

  onError(error: unknown): void {
    this.started("onError").cancel(error instanceof TripleError ? error : TripleError.from(error, Code.Canceled));
  }

  onCompleted(): void {
    const call = this.started("onCompleted");
    if (call instanceof StreamCall) call.close();
  }

  cancel(message?: string, cause?: unknown): void {
    this.started("cancel").cancel(new TripleError(message ?? "the call was cancelled", Code.Canceled, { cause }));
  }

  private beforeStartOnly(what: string): void {
    if (this.call !== undefined) {
      throw new TripleError(
        `${what}() must be called in ClientResponseObserver.beforeStart(), before the call starts`,
        Code.FailedPrecondition,
      );
    }
  }

  private started(what: string): ObservedCall {
    if (this.call === undefined) {
      throw new TripleError(
        `${what}() cannot be called in beforeStart(): the call has not started yet`,
        Code.FailedPrecondition,
      );
    }
    return this.call;
  }
}
