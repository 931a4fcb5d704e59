import { create, type DescMessage, type Message, type MessageInitShape, type MessageShape } from "@bufbuild/protobuf";
import type { MethodBinding } from "../call-options.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { StreamResponse } from "../interceptors.js";
import { bidiNeedsStreamingError, diagnoseStreamingFailure, requestStreamingTo, type RequestMode } from "./request-streaming.js";
import { noop, ResponseCall, type OpenOptions, type ResponseSide } from "./response-call.js";
import { serializeChecked } from "./serialize.js";
import { meterBody, reportWholeBody } from "./upload-progress.js";
import { MAX_BATCH_BYTES, WriteQueue } from "./write-queue.js";

export { DEFAULT_SEND_HIGH_WATER_MARK } from "./write-queue.js";
export { iterateResponses, type OpenOptions, type ResponseSide, type ServerStreamCall, type StreamKind } from "./response-call.js";

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

/**
 * A client-streaming or bidi call: a write queue for the requests on top of the receive side
 * every streaming call has ({@link ResponseCall}).
 *
 * The request starts at once (streaming mode) with the queue's body stream; nothing waits for the
 * response headers before sending, since a bidi server may send them only with its first response.
 * Where the transport cannot stream request bodies, a client stream is sent as one body when the
 * caller closes (buffered mode), and a bidi call fails at once with `Unimplemented`.
 */
export class StreamCall<I extends DescMessage, O extends DescMessage>
  extends ResponseCall<O>
  implements ClientStreamCall<I, O>
{
  private readonly queue: WriteQueue<MessageInitShape<I>>;
  private mode: RequestMode;
  private single: Promise<MessageShape<O>> | undefined;

  constructor(binding: MethodBinding, kind: "client_streaming" | "bidi_streaming", options: OpenOptions) {
    super(binding, kind, options);
    const { transport, method } = binding;
    const highWaterMark = options.sendHighWaterMarkBytes;
    try {
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
    } catch (e) {
      this.signal.done(); // a bad option must not leave a deadline timer behind
      throw e;
    }
    this.mode = requestStreamingTo(transport, this.url) === "none" ? "buffered" : "streaming";
    // A call the dialect's servers cannot carry fails before anything is sent.
    const refused = transport.protocol?.refuse(kind, transport.format, this.url);
    let started: Promise<StreamResponse>;
    if (refused !== undefined) {
      started = Promise.reject(refused);
    } else if (kind === "bidi_streaming" && this.mode === "buffered") {
      started = Promise.reject(bidiNeedsStreamingError(this.url));
    } else {
      started = this.mode === "streaming" ? this.startStreaming() : this.startBuffered();
    }
    this.launch(started);
  }

  get requestMode(): RequestMode {
    return this.mode;
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
    return this.queue.send(message);
  }

  close(): void {
    this.queue.close();
  }

  get response(): Promise<MessageShape<O>> {
    this.readBy ??= "response";
    this.single ??= this.readSingle();
    return this.single;
  }

  protected override onEnd(reason: TripleError): void {
    // Unsent requests fail; a body still streaming ends normally, so as not to disturb the
    // reading of the response's last bytes.
    this.queue.cancel(reason, "close");
  }

  protected override onFail(error: TripleError): void {
    // The abort tears the request down and the transport cancels the body itself. Erroring the
    // body here would make Chromium report an unhandled rejection in the page, and closing it
    // could let Chromium finish the upload normally before it sees the abort.
    this.queue.cancel(error, "error");
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

  private async startBuffered(): Promise<StreamResponse> {
    return this.beginWhole(await this.queue.collect());
  }

  /** Sends all requests as one body, reporting it to `onUploadProgress` as it goes. */
  private beginWhole(body: Uint8Array): Promise<StreamResponse> {
    reportWholeBody(this.options.onUploadProgress, body);
    return this.begin(body, "envelopes");
  }

  private async startStreaming(): Promise<StreamResponse> {
    const onProgress = this.options.onUploadProgress;
    // Counted only when someone watches: otherwise the queue's stream goes to the transport as is.
    const metered = onProgress !== undefined ? meterBody(this.queue.body, onProgress) : undefined;
    try {
      const res = await (metered !== undefined
        ? this.begin(metered.body, "envelopes", metered.acknowledge)
        : this.begin(this.queue.body, "envelopes"));
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
      return this.beginWhole(await this.queue.collect());
    }
  }
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
