import { create, type DescMessage, type Message, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import { createCallSignal, type CallSignal } from "./call-signal.js";
import { effectiveTimeoutMs } from "./deadline.js";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { StreamResponse } from "../interceptors.js";
import { methodUrl } from "../protocol/url.js";
import { bidiNeedsStreamingError, diagnoseStreamingFailure, requestStreamingTo, type RequestMode } from "./request-streaming.js";
import { ResponseCredits } from "./response-credits.js";
import { secondReaderError, type ResponseReaderName } from "./response-reader.js";
import { serializeChecked } from "./serialize.js";
import { messageStream, type MessageReader } from "../protocol/message-reader.js";
import { responseReader, startStream, streamDialect } from "./stream.js";
import { MAX_BATCH_BYTES, WriteQueue } from "./write-queue.js";

/** Options for `open()`: the per-call options, plus the two sides' flow control. */
export interface OpenOptions extends CallOptions {
  /**
   * Send side: queued request bytes (envelope prefix + message, before compression) at which
   * `isReady` turns false. Default 64 KiB ({@link DEFAULT_SEND_HIGH_WATER_MARK}).
   */
  sendHighWaterMarkBytes?: number;
  /**
   * Receive side: how many parsed responses may wait for the reader. Default 1. Ignored in
   * credit mode, where a response is read from the network only for a granted credit.
   */
  receiveHighWaterMarkMessages?: number;
  /**
   * Manual credit mode (gRPC's / Dubbo's `disableAutoRequestWithInitial`): deliver at most this
   * many responses until `request(n)` grants more. Without it, responses flow as they are read.
   */
  initialRequest?: number;
}

export { DEFAULT_SEND_HIGH_WATER_MARK } from "./write-queue.js";

/** The receive side and the life of a streaming call; what every kind of call has. */
export interface ResponseSide<O extends DescMessage> {
  /**
   * The responses, pull-based: the response body is read only as this stream is read (and, in
   * credit mode, only as credits allow). Cancelling it cancels the call. It errors with the
   * call's TripleError, after every response received before the error was read.
   */
  readonly responses: ReadableStream<MessageShape<O>>;
  /** Grants `count` more deliveries in credit mode (`initialRequest`); does nothing otherwise. */
  request(count: number): void;
  /** The response headers; rejects with the call's error if the call fails before them. */
  readonly header: Promise<Headers>;
  /** The trailers once the responses were read to their end; rejects with the call's error. */
  readonly trailer: Promise<Headers>;
  /**
   * Ends the call at once: the request is aborted (the server sees the cancel), unsent requests
   * are failed, and `responses`, `header` and `trailer` fail, with `Canceled` (or with `reason`
   * itself when it is a TripleError). Does nothing once the call has ended.
   */
  cancel(reason?: unknown): void;
}

/** The send side of a client-streaming or bidi call. */
export interface SendSide<I extends DescMessage> {
  /**
   * `streaming` while requests go out as they are sent; `buffered` where this runtime or origin
   * cannot stream a request body, and all requests go as one body on `close()` (client streaming).
   * That body is capped at the transport's `writeMaxBytes` (4 MiB by default): the `send()` that
   * would pass it fails the call with `ResourceExhausted` (`isReady` stays true until then, since
   * nothing leaves before `close()`).
   */
  readonly requestMode: RequestMode;
  /** True while a request sent now would not wait: the queue is below its high-water mark. */
  readonly isReady: boolean;
  /** Resolves when `isReady` is true; rejects with the call's error (or after `close()`). */
  readonly ready: Promise<void>;
  /** Bytes of requests queued and not yet handed to the network. */
  readonly bufferedAmount: number;
  /**
   * Sets the handler run when the call is ready for more: soon after it is set if ready then,
   * and on each transition to ready; never re-entrantly, never after `close()` or failure.
   */
  onReady(handler: (() => void) | undefined): void;
  /**
   * Queues a request; never blocks, never drops (check `isReady` to respect backpressure).
   * The promise settles when the request was handed to the network, or rejects with the
   * call's error; ignoring it is fine.
   */
  send(message: MessageInitShape<I>): Promise<void>;
  /** Half-closes: no more requests; the server sees the end once the queue has drained. */
  close(): void;
}

/** A server-streaming call from `open()`. */
export type ServerStreamCall<O extends DescMessage> = ResponseSide<O>;

/** A bidi call from `open()`: both sides, each with its own flow control. */
export interface BidiStreamCall<I extends DescMessage, O extends DescMessage> extends ResponseSide<O>, SendSide<I> {}

/** A client-streaming call from `open()`. */
export interface ClientStreamCall<I extends DescMessage, O extends DescMessage> extends BidiStreamCall<I, O> {
  /**
   * The single response. It and `responses` read the same sequence: whichever reads first owns
   * it, and the other fails with `FailedPrecondition` (the call itself goes on).
   */
  readonly response: Promise<MessageShape<O>>;
}

/** The streaming method kinds, as in `DescMethod.methodKind`. */
export type StreamKind = "server_streaming" | "client_streaming" | "bidi_streaming";

const noop = () => {};

/** Settle-once promise with its handles, marked handled so that nobody has to await it. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(noop);
  return { promise, resolve, reject };
}

/**
 * One streaming call: a write queue for the requests, a pull-based stream of responses (behind a
 * credit gate in manual mode), the response head and trailers, and one way to fail everything.
 *
 * The request starts at once (streaming mode) with the queue's body stream; nothing waits for the
 * response headers before sending, since a bidi server may send them only with its first response.
 * Where the transport cannot stream request bodies, a client stream is sent as one body when the
 * caller closes (buffered mode), and a bidi call fails at once with `Unimplemented`.
 */
export class StreamCall<I extends DescMessage, O extends DescMessage> implements ClientStreamCall<I, O> {
  private readonly binding: MethodBinding;
  private readonly kind: StreamKind;
  private readonly options: OpenOptions;
  private readonly url: string;
  private readonly timeoutMs: number | undefined;
  private readonly signal: CallSignal;
  private readonly queue: WriteQueue<MessageInitShape<I>>;
  private readonly credits: ResponseCredits | undefined;
  private readonly headerDeferred = deferred<Headers>();
  private readonly trailerDeferred = deferred<Headers>();
  private readonly started: Promise<StreamResponse>;
  private mode: RequestMode;
  private failure: TripleError | undefined;
  private finished = false;
  private responsesStream: ReadableStream<MessageShape<O>> | undefined;
  private reader: MessageReader<Message> | undefined;
  /** In credit mode: the one item read ahead while no credit was left (see pullResponse). */
  private held: ReadableStreamReadResult<Message> | undefined;
  private single: Promise<MessageShape<O>> | undefined;
  /** Who reads the responses: the first to ask for them owns them, a second reader is refused. */
  private readBy: ResponseReaderName | undefined;
  /** A server stream's request when the dialect sends it bare rather than enveloped. */
  private bareRequest: Uint8Array | undefined;

  constructor(binding: MethodBinding, kind: StreamKind, options: OpenOptions, request?: MessageInitShape<I>) {
    const { transport, method } = binding;
    this.binding = binding;
    this.kind = kind;
    this.options = options;
    this.url = methodUrl(transport.baseUrl, method);
    this.timeoutMs = effectiveTimeoutMs(options.timeoutMs, transport.timeoutMs);
    // Options are validated (by these constructors) before the call's signal exists, so that a
    // bad option does not leave a deadline timer behind.
    this.credits = options.initialRequest !== undefined ? new ResponseCredits(options.initialRequest) : undefined;
    const highWaterMark = options.sendHighWaterMarkBytes;
    this.queue = new WriteQueue<MessageInitShape<I>>({
      serialize: (m) => serializeChecked(transport, method.input, create(method.input, m) as Message),
      compression: transport.sendCompression,
      compressMinBytes: transport.compressMinBytes,
      ...(highWaterMark !== undefined ? { highWaterMark } : {}),
      // Enough to replay what a fetch took before refusing to stream (client streams only).
      retainBytes: kind === "client_streaming" ? Math.max(highWaterMark ?? 0, MAX_BATCH_BYTES) : 0,
      // One-body mode holds the whole upload until close: as big as one request may be, no bigger.
      oneBodyMaxBytes: transport.writeMaxBytes,
      onError: (e, during) =>
        this.fail(
          during === "limit"
            ? e
            : during === "onReady"
              ? new TripleError(`the onReady handler threw: ${String(e)}`, Code.Canceled, { cause: e })
              : new TripleError(`failed to compress a request: ${String(e)}`, Code.Internal, { cause: e }),
        ),
    });
    this.signal = createCallSignal(options.signal, this.timeoutMs);
    // A call the dialect's servers cannot carry fails before anything is sent.
    const refused = transport.protocol?.refuse(kind, transport.format, this.url);
    if (kind === "server_streaming") {
      this.mode = "buffered";
      try {
        if (refused !== undefined) {
          // Nothing to send.
        } else if (streamDialect(transport).serverStreamRequest === "message") {
          this.bareRequest = serializeChecked(transport, method.input, create(method.input, request) as Message);
        } else {
          void this.queue.send(request as MessageInitShape<I>);
        }
      } catch (e) {
        this.signal.done(); // a request that does not serialize must not leave a deadline timer behind
        throw e;
      }
      this.queue.close();
    } else {
      this.mode = requestStreamingTo(transport, this.url) === "none" ? "buffered" : "streaming";
    }
    this.signal.signal.addEventListener("abort", () => this.fail(this.signal.signal.reason), { once: true });
    if (refused !== undefined) {
      this.started = Promise.reject(refused);
    } else if (kind === "bidi_streaming" && this.mode === "buffered") {
      this.started = Promise.reject(bidiNeedsStreamingError(this.url));
    } else {
      this.started = this.mode === "streaming" ? this.startStreaming() : this.startBuffered();
    }
    this.started.catch(noop);
    this.started.then(
      (res) => this.onResponse(res),
      (e) => this.fail(e),
    );
    if (this.signal.signal.aborted) this.fail(this.signal.signal.reason);
  }

  /**
   * The responses as a pull-based ReadableStream, made on first access: each pull is one
   * {@link read}. In credit mode nothing is parsed ahead of a credit; otherwise up to
   * `receiveHighWaterMarkMessages` responses wait. Cancelling it cancels the call.
   */
  get responses(): ReadableStream<MessageShape<O>> {
    this.readBy ??= "responses";
    this.responsesStream ??= messageStream<MessageShape<O>>(
      {
        read: () => this.read("responses"),
        cancel: async (reason) => {
          if (!this.finished) this.cancel(reason ?? "the responses stream was cancelled");
          else await this.reader?.cancel(reason).catch(noop);
        },
      },
      this.credits !== undefined ? 0 : Math.max(0, this.options.receiveHighWaterMarkMessages ?? 1),
    );
    return this.responsesStream;
  }

  get requestMode(): RequestMode {
    return this.mode;
  }

  get header(): Promise<Headers> {
    return this.headerDeferred.promise;
  }

  get trailer(): Promise<Headers> {
    return this.trailerDeferred.promise;
  }

  get isReady(): boolean {
    return this.queue.isReady;
  }

  get ready(): Promise<void> {
    return this.queue.ready;
  }

  get bufferedAmount(): number {
    return this.queue.bufferedAmount;
  }

  /** The most request bytes ever queued at once (what the high-water mark bounded). */
  get maxBufferedAmount(): number {
    return this.queue.maxBufferedAmount;
  }

  onReady(handler: (() => void) | undefined): void {
    this.queue.onReady(handler);
  }

  send(message: MessageInitShape<I>): Promise<void> {
    if (this.kind === "server_streaming") {
      throw new TripleError("a server-streaming call has no more requests to send", Code.FailedPrecondition);
    }
    return this.queue.send(message);
  }

  close(): void {
    this.queue.close();
  }

  request(count: number): void {
    this.credits?.grant(count);
  }

  cancel(reason?: unknown): void {
    if (this.finished) return;
    if (reason instanceof TripleError) {
      this.fail(reason);
      return;
    }
    const message = reason === undefined ? "the call was cancelled" : `the call was cancelled: ${describe(reason)}`;
    this.fail(new TripleError(message, Code.Canceled, { cause: reason }));
  }

  get response(): Promise<MessageShape<O>> {
    this.readBy ??= "response";
    this.single ??= this.readSingle();
    return this.single;
  }

  /** The error the call failed with, if it did. */
  get error(): TripleError | undefined {
    return this.failure;
  }

  private readSingle(): Promise<MessageShape<O>> {
    const p = (async () => {
      const first = await this.read("response");
      if (first.done) {
        throw new TripleError("the server ended a client-streaming call without a response", Code.Internal);
      }
      const second = await this.read("response");
      if (!second.done) {
        const e = new TripleError("the server sent more than one response to a client-streaming call", Code.Internal);
        this.fail(e);
        throw e;
      }
      return first.value;
    })();
    p.catch(noop);
    return p;
  }

  private begin(body: Uint8Array | ReadableStream<Uint8Array>): Promise<StreamResponse> {
    return startStream({
      binding: this.binding,
      kind: this.kind,
      bodyKind: this.bareRequest !== undefined ? "message" : "envelopes",
      options: this.options,
      call: this.signal,
      timeoutMs: this.timeoutMs,
      body,
      // Only for an interceptor that asks for `messages`: the call reads the decoder itself.
      highWaterMark: 0,
    });
  }

  private async startBuffered(): Promise<StreamResponse> {
    return this.begin(this.bareRequest ?? (await this.queue.collect()));
  }

  private async startStreaming(): Promise<StreamResponse> {
    try {
      const res = await this.begin(this.queue.body);
      this.queue.stopRetaining();
      return res;
    } catch (e) {
      if (this.failure !== undefined) throw this.failure;
      if (!(await diagnoseStreamingFailure(this.binding.transport, this.url, e, this.signal.signal))) throw e;
      if (this.kind === "bidi_streaming" || !this.queue.canReplay || this.failure !== undefined) {
        throw bidiNeedsStreamingError(this.url);
      }
      // The runtime refused to stream the body but reaches the server: send it as one body on close.
      this.mode = "buffered";
      return this.begin(await this.queue.collect());
    }
  }

  private onResponse(res: StreamResponse): void {
    if (this.failure !== undefined) {
      void responseReader(res).cancel(this.failure).catch(noop);
      return;
    }
    this.headerDeferred.resolve(res.header);
    this.callback(() => this.options.onHeader?.(res.header));
    res.trailer.then(
      (trailer) => {
        if (this.failure !== undefined) return;
        this.trailerDeferred.resolve(trailer);
        this.callback(() => this.options.onTrailer?.(trailer));
        this.end(new TripleError("the server ended the call before this request was sent", Code.Canceled));
      },
      (e) => {
        // The server's error: reported through `responses` once the responses before it are
        // read; here the trailer fails and the send side stops.
        const error = this.signal.error(e);
        this.trailerDeferred.reject(error);
        this.end(error);
      },
    );
  }

  /** The call is over on the server's side: unsent requests fail, timers are released. */
  private end(reason: TripleError): void {
    this.finished = true;
    // Unsent requests fail; a body still streaming ends normally, so as not to disturb the
    // reading of the response's last bytes.
    this.queue.cancel(reason, "close");
    this.signal.done();
  }

  /**
   * Reads the next response, honouring credits; what `responses` and the async-iterable forms
   * are built on. Rejects with the call's error once every response before it was read.
   * `by` names the reader: a second, different reader is refused and the call goes on.
   */
  async read(by: ResponseReaderName = "read()"): Promise<ReadableStreamReadResult<MessageShape<O>>> {
    this.readBy ??= by;
    if (this.readBy !== by) throw secondReaderError(this.readBy, by);
    try {
      if (this.failure !== undefined) throw this.failure;
      this.reader ??= responseReader(await this.started);
      if (this.credits !== undefined && this.credits.remaining === 0) {
        // No credit: look one item ahead, because the end of the stream and an error need no
        // credit (as in gRPC, the close is not held back by an unrequested message); a message
        // waits, parsed but undelivered, for the next credit.
        this.held ??= await this.reader.read();
        if (!this.held.done) await this.credits.whenAvailable();
      }
      const r = this.held ?? (await this.reader.read());
      this.held = undefined;
      if (r.done) {
        this.finished = true;
        return { done: true, value: undefined };
      }
      this.credits?.consume();
      return { done: false, value: r.value as MessageShape<O> };
    } catch (e) {
      throw this.fail(e);
    }
  }

  /**
   * Fails the call once, with the abort reason if the call was aborted (deadline, signal,
   * cancel), and everything with it: the request is aborted, unsent requests, `ready`, header,
   * trailer and responses fail. Returns the error the call ended with.
   */
  private fail(reason: unknown): TripleError {
    if (this.failure !== undefined) return this.failure;
    const error = this.signal.error(reason);
    this.failure = error;
    this.finished = true;
    this.signal.abort(error);
    // The abort tears the request down and the transport cancels the body itself. Erroring the
    // body here would make Chromium report an unhandled rejection in the page, and closing it
    // could let Chromium finish the upload normally before it sees the abort.
    this.queue.cancel(error, "error");
    this.credits?.fail(error);
    this.headerDeferred.reject(error);
    this.trailerDeferred.reject(error);
    void this.reader?.cancel(error).catch(noop);
    this.signal.done();
    return error;
  }

  /** Runs a user callback; what it throws must not break the call's own bookkeeping. */
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.fail(new TripleError(`a call option callback threw: ${String(e)}`, Code.Canceled, { cause: e }));
    }
  }
}

function describe(reason: unknown): string {
  return reason instanceof Error ? reason.message : String(reason);
}

/** Opens a client-streaming call. */
export function openClientStream<I extends DescMessage, O extends DescMessage>(
  binding: MethodBinding,
  options: OpenOptions = {},
): ClientStreamCall<I, O> {
  return new StreamCall<I, O>(binding, "client_streaming", options);
}

/** Opens a bidi call. */
export function openBidiStream<I extends DescMessage, O extends DescMessage>(
  binding: MethodBinding,
  options: OpenOptions = {},
): BidiStreamCall<I, O> {
  return new StreamCall<I, O>(binding, "bidi_streaming", options);
}

/** Opens a server-streaming call with its single request. */
export function openServerStream<I extends DescMessage, O extends DescMessage>(
  binding: MethodBinding,
  request: MessageInitShape<I>,
  options: OpenOptions = {},
): ServerStreamCall<O> {
  return new StreamCall<I, O>(binding, "server_streaming", options, request);
}

/**
 * The responses of a call as an async generator, for the async-iterable forms: each `next()`
 * reads one response (so the body is read only as the loop advances), the trailers are awaited at
 * the end so `onTrailer` has run, and leaving the loop early cancels the call upstream.
 */
export async function* iterateResponses<O extends DescMessage>(
  call: StreamCall<DescMessage, O>,
): AsyncGenerator<MessageShape<O>, void, undefined> {
  let finished = false;
  try {
    for (;;) {
      const r = await call.read();
      if (r.done) break;
      yield r.value;
    }
    await call.trailer;
    finished = true;
  } catch (e) {
    finished = true;
    throw e;
  } finally {
    if (!finished) call.cancel(new TripleError("the stream's consumer stopped reading", Code.Canceled));
  }
}
