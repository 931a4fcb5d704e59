import type { DescMessage, Message, MessageShape } from "@bufbuild/protobuf";
import { createCallSignal, type CallSignal } from "./call-signal.js";
import { effectiveTimeoutMs } from "./deadline.js";
import type { CallOptions, MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { StreamResponse } from "../interceptors.js";
import { methodUrl } from "../protocol/url.js";
import { ResponseCredits } from "./response-credits.js";
import { secondReaderError, type ResponseReaderName } from "./response-reader.js";
import { messageStream, type MessageReader } from "../protocol/message-reader.js";
import { responseReader, startStream } from "./stream.js";

/** Options for `open()`: the per-call options, plus the two sides' flow control. */
export interface OpenOptions extends CallOptions {
  /**
   * Send side: queued request bytes (envelope prefix + message, before compression) at which
   * `isReady` turns false. Default 64 KiB (`DEFAULT_SEND_HIGH_WATER_MARK`). Client and bidi
   * streams only: a server stream's one request is sent whole.
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

/** The streaming method kinds, as in `DescMethod.methodKind`. */
export type StreamKind = "server_streaming" | "client_streaming" | "bidi_streaming";

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

/** A server-streaming call from `open()`. */
export type ServerStreamCall<O extends DescMessage> = ResponseSide<O>;

export const noop = () => {};

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
 * The receive side of every streaming call: a pull-based stream of responses (behind a credit
 * gate in manual mode), the response head and trailers, and one way to fail everything.
 *
 * What is sent differs by kind and lives in the subclasses: a server stream sends one prebuilt
 * body ({@link ServerStream}), client and bidi streams a write queue (`StreamCall`). Keeping the
 * send side out of this class is what lets a bundle with only server streams leave the write
 * queue and the request-streaming detection out.
 *
 * A subclass builds its request in its constructor, then calls {@link launch} with the started
 * exchange; the hooks {@link onEnd} and {@link onFail} let it stop its send side.
 */
export abstract class ResponseCall<O extends DescMessage> implements ResponseSide<O> {
  protected readonly binding: MethodBinding;
  protected readonly kind: StreamKind;
  protected readonly options: OpenOptions;
  protected readonly url: string;
  protected readonly timeoutMs: number | undefined;
  protected readonly signal: CallSignal;
  private readonly credits: ResponseCredits | undefined;
  private readonly headerDeferred = deferred<Headers>();
  private readonly trailerDeferred = deferred<Headers>();
  private started: Promise<StreamResponse> | undefined;
  protected failure: TripleError | undefined;
  protected finished = false;
  private responsesStream: ReadableStream<MessageShape<O>> | undefined;
  private reader: MessageReader<Message> | undefined;
  /** In credit mode: the one item read ahead while no credit was left (see read). */
  private held: ReadableStreamReadResult<Message> | undefined;
  /** Who reads the responses: the first to ask for them owns them, a second reader is refused. */
  protected readBy: ResponseReaderName | undefined;

  constructor(binding: MethodBinding, kind: StreamKind, options: OpenOptions) {
    const { transport, method } = binding;
    this.binding = binding;
    this.kind = kind;
    this.options = options;
    this.url = methodUrl(transport.baseUrl, method);
    this.timeoutMs = effectiveTimeoutMs(options.timeoutMs, transport.timeoutMs);
    // Options are validated (by these constructors) before the call's signal exists, so that a
    // bad option does not leave a deadline timer behind.
    this.credits = options.initialRequest !== undefined ? new ResponseCredits(options.initialRequest) : undefined;
    this.signal = createCallSignal(options.signal, this.timeoutMs);
  }

  /** Called once by the subclass's constructor, with the exchange it started (or its refusal). */
  protected launch(started: Promise<StreamResponse>): void {
    this.started = started;
    this.signal.signal.addEventListener("abort", () => this.fail(this.signal.signal.reason), { once: true });
    started.catch(noop);
    started.then(
      (res) => this.onResponse(res),
      (e) => this.fail(e),
    );
    if (this.signal.signal.aborted) this.fail(this.signal.signal.reason);
  }

  /** The server ended the call (well or not): the send side stops. */
  protected onEnd(_reason: TripleError): void {}

  /** The call failed: the send side fails with it. */
  protected onFail(_error: TripleError): void {}

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

  get header(): Promise<Headers> {
    return this.headerDeferred.promise;
  }

  get trailer(): Promise<Headers> {
    return this.trailerDeferred.promise;
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

  /** The error the call failed with, if it did. */
  get error(): TripleError | undefined {
    return this.failure;
  }

  /**
   * Starts the exchange with `body` through the interceptors and the transport; `onUploadAcknowledged`
   * goes to the transport when the caller watches upload progress.
   */
  protected begin(
    body: Uint8Array | ReadableStream<Uint8Array>,
    bodyKind: "message" | "envelopes",
    onUploadAcknowledged?: (totalBytes: number) => void,
  ): Promise<StreamResponse> {
    return startStream({
      onUploadAcknowledged,
      binding: this.binding,
      kind: this.kind,
      bodyKind,
      options: this.options,
      call: this.signal,
      timeoutMs: this.timeoutMs,
      body,
      // Only for an interceptor that asks for `messages`: the call reads the decoder itself.
      highWaterMark: 0,
    });
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
    this.onEnd(reason);
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
      this.reader ??= responseReader(await this.started!);
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
  protected fail(reason: unknown): TripleError {
    if (this.failure !== undefined) return this.failure;
    const error = this.signal.error(reason);
    this.failure = error;
    this.finished = true;
    this.signal.abort(error);
    this.onFail(error);
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

/**
 * The responses of a call as an async generator, for the async-iterable forms: each `next()`
 * reads one response (so the body is read only as the loop advances), the trailers are awaited at
 * the end so `onTrailer` has run, and leaving the loop early cancels the call upstream.
 */
export async function* iterateResponses<O extends DescMessage>(
  call: ResponseCall<O>,
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
