import type { Compression } from "../compression.js";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { FLAG_COMPRESSED, writeEnvelopeInto } from "../protocol/envelope.js";

/**
 * Most envelopes one body chunk carries. The byte cap ({@link MAX_BATCH_BYTES}) is what bounds a
 * pull's work and the delay before a backlog's first byte leaves; this cap only matters for tiny
 * messages. It is high enough that a 64 KiB chunk of 64-byte messages goes out whole: every chunk
 * costs the transport a stream read and a socket write, so 128-message chunks (Dubbo's Triple
 * flushes after 128 commands, where a flush is cheap) made small-message uploads pay seven times
 * the per-chunk cost (measured in bench/, `cs64`).
 */
export const MAX_BATCH_MESSAGES = 1024;

/**
 * How many microtask turns a pull waits, with the queue not growing, before it cuts a batch that
 * is not yet full. An async generator hands over one message every 2–3 microtask turns (a mapping
 * generator over another, 4–6); without the wait, the transport's read, which is already pending,
 * would take every message alone, one socket write each (measured: 14 µs of CPU per 64 B message
 * instead of 4). The wait ends at once when the queue is full, not ready, closed or cancelled, and
 * costs a sender that has stopped (a bidi ping-pong) a few microtasks, never a timer.
 */
export const COALESCE_IDLE_TURNS = 8;

/**
 * Most bytes one body chunk carries (a single larger message still goes alone, unsplit). 64 KiB is
 * HTTP/2's default initial flow-control window and Netty's default write-buffer high-water mark:
 * what a transport typically takes in one go. Bigger chunks only add copying and first-byte delay.
 */
export const MAX_BATCH_BYTES = 64 * 1024;

/**
 * Default send-side high-water mark, in bytes of queued envelopes. Like Netty's default channel
 * write-buffer high-water mark (64 KiB): enough for one full batch to wait while the previous one
 * is on the wire, small enough that a stalled peer holds little memory in the client.
 */
export const DEFAULT_SEND_HIGH_WATER_MARK = 64 * 1024;

/** Options for {@link WriteQueue}. */
export interface WriteQueueOptions<T> {
  /** Turns a message into its payload bytes; may throw (the throw reaches the caller of `send`). */
  readonly serialize: (message: T) => Uint8Array;
  /** Per-message compression; messages of at least `compressMinBytes` are compressed when drained. */
  readonly compression?: Compression | undefined;
  readonly compressMinBytes?: number;
  /** Queued bytes (5-byte prefix + uncompressed payload) at or above which `isReady` is false. */
  readonly highWaterMark?: number;
  readonly maxBatchMessages?: number;
  readonly maxBatchBytes?: number;
  /**
   * Keep the chunks handed to the transport (up to about this many bytes) until
   * {@link WriteQueue.stopRetaining} is called, so that a transport that fails before it answered
   * can be replaced by a one-body request without losing what it had taken. 0 disables it.
   */
  readonly retainBytes?: number;
  /**
   * Receives what an `onReady` handler throws, or what compression throws while draining: the
   * queue cannot report either anywhere itself; the owner should fail the call. After a
   * compression failure the queue is cancelled with that error.
   */
  readonly onError?: (error: unknown, during: "onReady" | "compression" | "limit") => void;
  /**
   * One-body mode only: the most bytes the single body may hold (envelopes, before compression).
   * Nothing leaves before `close()` there, so `isReady` cannot pace the sender (turning it false
   * would stall a well-behaved sender for good); a hard cap is what bounds the memory instead.
   * The `send()` that would pass it cancels the queue with a `ResourceExhausted` TripleError,
   * reported through `onError` ("limit"). Unset: no cap.
   */
  readonly oneBodyMaxBytes?: number;
  /** Called when the transport cancels the body stream (it stopped reading it). */
  readonly onBodyCancel?: (reason: unknown) => void;
}

/**
 * Where a queue is in its life:
 * - `open`: accepting messages;
 * - `closing`: `close()` was called, queued messages still drain;
 * - `closed`: everything was handed to the transport and the body ended;
 * - `cancelled`: `cancel()` was called; what was queued was failed with its reason.
 */
export type WriteQueueState = "open" | "closing" | "closed" | "cancelled";

interface Item {
  payload: Uint8Array;
  /** Set once compression ran (compression is async, so it happens when the item is drained). */
  compressed: Uint8Array | undefined;
  readonly compress: boolean;
  readonly size: number;
  /** The group whose promise this message's `send()` returned. */
  readonly group: Group;
}

/**
 * Consecutive messages that always leave in the same chunk, and share the promise their `send()`
 * calls return: one promise per chunk instead of two allocations per message (measured in the
 * small-message upload, `cs64`). A group is closed once a pull takes messages, and before it would
 * pass a chunk's caps; a pull takes whole groups only. So a group's promise settles exactly when
 * each of its messages was handed to the transport, or the queue was cancelled before that.
 */
interface Group {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (reason: unknown) => void;
  count: number;
  bytes: number;
}

function newGroup(): Group {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(noop);
  return { promise, resolve, reject, count: 0, bytes: 0 };
}

/** Settles each distinct group of `items` once (a group's items are consecutive). */
function settleGroups(items: readonly Item[], settle: (group: Group) => void): void {
  let last: Group | undefined;
  for (const item of items) {
    if (item.group === last) continue;
    last = item.group;
    settle(last);
  }
}

const noop = () => {};
const resolvedVoid = Promise.resolve();

/**
 * The send side of one streaming call, modelled on Dubbo Triple's `WriteQueue`: `send()` encodes
 * synchronously and enqueues, never blocking and never dropping; the request body's `pull` drains
 * the queue, turning everything queued (up to {@link MAX_BATCH_MESSAGES} envelopes /
 * {@link MAX_BATCH_BYTES} bytes) into one chunk, so the transport sees few large writes.
 *
 * The body stream has a high-water mark of 0: the transport's own read is the only thing that
 * moves bytes out, so the queue fills exactly when the network (or the server) is slower than the
 * sender. Readiness reports that: `isReady` is true while the queued bytes are below the
 * high-water mark; `ready` resolves and `onReady` handlers run when it becomes true again.
 *
 * Where a body cannot stream (see `collect()`), the queue instead gathers everything into one
 * body, handed over when the caller closes; it is then always ready, since holding the messages
 * is the only thing it can do with them, and bounded by `oneBodyMaxBytes` instead.
 */
export class WriteQueue<T> {
  readonly highWaterMark: number;
  private readonly options: WriteQueueOptions<T>;
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  private readonly compressMinBytes: number;
  private items: Item[] = [];
  private head = 0;
  /** Items taken out of `items` whose chunk is being built (compression is async). */
  private inFlight: Item[] = [];
  /** The group new messages join; closed (undefined) whenever a pull takes messages. */
  private openGroup: Group | undefined;
  private queuedBytes = 0;
  private currentState: WriteQueueState = "open";
  private cancelReason: unknown;
  private buffered = false;
  private bodyStream: ReadableStream<Uint8Array> | undefined;
  private controller: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** True once the transport stopped reading the body, or the queue moved to one-body mode. */
  private detached = false;
  private wakePull: (() => void) | undefined;
  /** The pull in progress, if any: one-body mode waits for it so no batch is built twice. */
  private pulling: Promise<void> | undefined;
  private readyWaiter: { promise: Promise<void>; resolve: () => void; reject: (e: unknown) => void } | undefined;
  private rejectedReady: Promise<void> | undefined;
  private wasReady = true;
  private handler: (() => void) | undefined;
  private notifyScheduled = false;
  private notifying = false;
  private retained: Uint8Array[] | undefined = [];
  private retainedBytes = 0;
  private readonly retainLimit: number;
  private chunkCount = 0;
  /** One-body mode: settles `collect()` once the caller closed, or the queue was cancelled. */
  private whenClosing: (() => void) | undefined;
  private whenCancelled: ((reason: unknown) => void) | undefined;
  private maxQueued = 0;
  /** One-body mode: bytes the failed streaming attempt had taken, to be replayed in front. */
  private replayBytes = 0;

  constructor(options: WriteQueueOptions<T>) {
    this.options = options;
    this.highWaterMark = options.highWaterMark ?? DEFAULT_SEND_HIGH_WATER_MARK;
    this.maxBatchMessages = Math.max(1, options.maxBatchMessages ?? MAX_BATCH_MESSAGES);
    this.maxBatchBytes = options.maxBatchBytes ?? MAX_BATCH_BYTES;
    this.compressMinBytes = options.compressMinBytes ?? 1024;
    this.retainLimit = options.retainBytes ?? 0;
    if (this.retainLimit <= 0) this.retained = undefined;
    if (!(this.highWaterMark >= 0)) throw new RangeError(`highWaterMark must be a number >= 0, got ${this.highWaterMark}`);
  }

  /** Where the queue is in its life. */
  get state(): WriteQueueState {
    return this.currentState;
  }

  /** Bytes queued and not yet handed to the transport (envelope prefixes included, before compression). */
  get bufferedAmount(): number {
    return this.queuedBytes;
  }

  /** The most bytes ever queued at once: what the high-water mark really bounded. */
  get maxBufferedAmount(): number {
    return this.maxQueued;
  }

  /** How many chunks the body stream has handed to the transport (the batching effect). */
  get chunksWritten(): number {
    return this.chunkCount;
  }

  /**
   * Whether a message sent now would be taken without waiting: the queue is open and below its
   * high-water mark, or empty (so a mark of 0 means "one message at a time"), and always in
   * one-body mode. After `close()` or `cancel()` it is false.
   */
  get isReady(): boolean {
    return (
      this.currentState === "open" && (this.buffered || this.queuedBytes === 0 || this.queuedBytes < this.highWaterMark)
    );
  }

  /**
   * Resolves when `isReady` is (or becomes) true. Rejects with the reason of `cancel()`, or when
   * the queue was closed (nothing more can be sent). Never an unhandled rejection: a promise
   * nobody awaits is harmless.
   */
  get ready(): Promise<void> {
    if (this.currentState === "cancelled") return this.rejected(this.cancelReason);
    if (this.currentState !== "open") return this.rejected(closedError());
    if (this.isReady) return resolvedVoid;
    if (this.readyWaiter === undefined) {
      let resolve!: () => void;
      let reject!: (e: unknown) => void;
      const promise = new Promise<void>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      promise.catch(noop);
      this.readyWaiter = { promise, resolve, reject };
    }
    return this.readyWaiter.promise;
  }

  /**
   * Sets (or with `undefined` removes) the handler run when the queue becomes ready: once soon
   * after it is set if the queue is ready then, and again on every transition from not ready to
   * ready. It runs from a microtask, never inside `send()` and never inside itself, and never
   * after `close()` or `cancel()`. The intended handler loops "while isReady, send".
   */
  onReady(handler: (() => void) | undefined): void {
    this.handler = handler;
    if (handler !== undefined && this.isReady) this.scheduleNotify();
  }

  /**
   * Serializes `message` and queues its envelope. Never blocks, never drops: the message is
   * queued even when `isReady` is false (the caller decides how far over the mark to go).
   * Returns a promise that resolves once the message was handed to the transport and rejects
   * if the queue is cancelled before that; ignoring it is fine (it never rejects unhandled).
   * Throws synchronously when serialization fails or the queue was closed: both are bugs in
   * the caller, not conditions of the call.
   */
  send(message: T): Promise<void> {
    if (this.currentState === "cancelled") return this.rejected(this.cancelReason);
    if (this.currentState !== "open") {
      throw new TripleError("send() after close(): the request stream is already half-closed", Code.FailedPrecondition);
    }
    const payload = this.options.serialize(message);
    const compress = this.options.compression !== undefined && payload.byteLength >= this.compressMinBytes;
    const size = 5 + payload.byteLength;
    if (this.buffered && this.exceedsOneBody(size)) return this.rejected(this.cancelReason);
    let group = this.openGroup;
    if (
      group === undefined ||
      group.count >= this.maxBatchMessages ||
      (group.count > 0 && group.bytes + size > this.maxBatchBytes)
    ) {
      group = this.openGroup = newGroup();
    }
    group.count++;
    group.bytes += size;
    this.items.push({ payload, compressed: undefined, compress, size, group });
    this.queuedBytes += size;
    if (this.queuedBytes > this.maxQueued) this.maxQueued = this.queuedBytes;
    this.updateReadiness();
    this.wake();
    return group.promise;
  }

  /** Half-closes: the body ends once every queued message was handed to the transport. */
  close(): void {
    if (this.currentState !== "open") return;
    this.currentState = "closing";
    this.handler = undefined;
    this.readyWaiter?.reject(closedError());
    this.readyWaiter = undefined;
    this.wake();
  }

  /**
   * Fails every message not yet handed to the transport with `reason`, errors the body stream
   * (the transport stops sending it), rejects `ready`, and drops the `onReady` handler.
   * With `body: "close"` the body stream ends normally instead: for when the other side has
   * already finished, and an errored body could disturb the reading of its last bytes. With
   * `body: "leave"` it is left to the transport, which cancels it when its request is aborted.
   */
  cancel(reason: unknown, body: "error" | "close" | "leave" = "error"): void {
    if (this.currentState === "cancelled" || this.currentState === "closed") return;
    this.currentState = "cancelled";
    this.cancelReason = reason;
    this.handler = undefined;
    const pending = this.inFlight.concat(this.items.slice(this.head));
    this.items = [];
    this.head = 0;
    this.inFlight = [];
    this.queuedBytes = 0;
    this.retained = undefined;
    this.retainedBytes = 0;
    this.openGroup = undefined;
    settleGroups(pending, (g) => g.reject(reason));
    this.readyWaiter?.reject(reason);
    this.readyWaiter = undefined;
    if (this.controller !== undefined && !this.detached && body !== "leave") {
      try {
        if (body === "close") this.controller.close();
        else {
          // A distinct reason object, so that only this rejection is recognised below.
          const bodyReason = reason instanceof Error ? new Error(reason.message, { cause: reason }) : new Error(String(reason));
          ignoreUnobservedRejection(bodyReason);
          this.controller.error(bodyReason);
        }
      } catch {
        // Already closed or errored by the transport: nothing left to stop.
      }
    }
    this.wake();
  }

  /**
   * The request body for a streaming request: a byte stream with a high-water mark of 0 whose
   * every pull hands out one batch of queued envelopes. Made on first access.
   */
  get body(): ReadableStream<Uint8Array> {
    this.bodyStream ??= new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          this.controller = controller;
          if (this.currentState === "cancelled") controller.error(this.cancelReason);
        },
        pull: (controller) => (this.pulling = this.pull(controller)),
        cancel: (reason) => {
          this.detached = true;
          this.wake();
          this.options.onBodyCancel?.(reason);
        },
      },
      { highWaterMark: 0 },
    );
    return this.bodyStream;
  }

  /** Stops keeping handed-out chunks for a replay: the transport has proven it takes the stream. */
  stopRetaining(): void {
    this.retained = undefined;
    this.retainedBytes = 0;
  }

  /** Whether every chunk handed to the transport so far is still kept, so `collect()` loses nothing. */
  get canReplay(): boolean {
    return this.retained !== undefined || this.chunkCount === 0;
  }

  /**
   * One-body mode, for transports that cannot stream a request body: stops feeding the body
   * stream, and resolves, once the caller has closed, with everything as one body (the chunks
   * the failed streaming attempt had taken first, when there was one). From now on the queue is
   * always ready. Rejects if the queue is cancelled first.
   */
  collect(): Promise<Uint8Array> {
    this.detached = true;
    this.buffered = true;
    const replay = this.retained ?? [];
    this.retained = undefined;
    for (const c of replay) this.replayBytes += c.byteLength;
    this.exceedsOneBody(0);
    this.updateReadiness();
    this.wake();
    return new Promise<Uint8Array>((resolve, reject) => {
      const finish = async () => {
        await this.pulling;
        if (this.currentState === "cancelled") throw this.cancelReason;
        const items = this.items.slice(this.head);
        this.items = [];
        this.head = 0;
        this.openGroup = undefined;
        this.inFlight = items;
        const batch = await this.buildOrCancel(items, replay);
        if (batch === undefined) throw this.cancelReason;
        this.inFlight = [];
        this.handOut(items);
        this.currentState = "closed";
        return batch;
      };
      this.whenClosing = () => finish().then(resolve, reject);
      this.whenCancelled = reject;
      if (this.currentState !== "open") this.settleCollect();
    });
  }

  /**
   * Whether one more envelope of `size` bytes would take the one body past its cap; if so the
   * queue is cancelled with `ResourceExhausted` (so `cancelReason` is that error).
   */
  private exceedsOneBody(size: number): boolean {
    const max = this.options.oneBodyMaxBytes;
    const total = this.replayBytes + this.queuedBytes + size;
    if (max === undefined || total <= max || this.currentState === "cancelled") return false;
    const error = new TripleError(
      `the request stream is sent as one body here (the runtime cannot stream it), and ${total} bytes ` +
        `would pass its cap of ${max} bytes (writeMaxBytes); stream over HTTP/2 or WebTransport, or send less`,
      Code.ResourceExhausted,
    );
    this.options.onError?.(error, "limit");
    this.cancel(error);
    return true;
  }

  private settleCollect(): void {
    if (this.currentState === "cancelled") {
      this.whenCancelled?.(this.cancelReason);
    } else if (this.currentState === "closing") {
      this.whenClosing?.();
    } else {
      return;
    }
    this.whenClosing = undefined;
    this.whenCancelled = undefined;
  }

  private async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    for (;;) {
      if (this.detached || this.currentState === "cancelled") return;
      if (this.head < this.items.length) break;
      if (this.currentState === "closing") {
        this.currentState = "closed";
        controller.close();
        return;
      }
      await new Promise<void>((resolve) => (this.wakePull = resolve));
    }
    await this.coalesce();
    if (this.detached || this.isCancelled()) return;
    const items = this.takeBatch();
    this.inFlight = items;
    const chunk = await this.buildOrCancel(items, []);
    if (chunk === undefined || this.isCancelled()) return;
    this.inFlight = [];
    if (this.detached) {
      // The transport went away while the chunk was being built: put the messages back in front.
      this.items = items.concat(this.items.slice(this.head));
      this.head = 0;
      return;
    }
    controller.enqueue(chunk);
    this.chunkCount++;
    if (this.retained !== undefined) {
      this.retained.push(chunk);
      this.retainedBytes += chunk.byteLength;
      if (this.retainedBytes > this.retainLimit) this.stopRetaining();
    }
    this.handOut(items);
  }

  /**
   * Waits while a sender that is still open, ready and adding messages fills the next batch: up
   * to a full batch, and no longer than {@link COALESCE_IDLE_TURNS} microtask turns without a new
   * message. A full queue (the sender is waiting for `ready`) or a closing one goes at once.
   */
  private async coalesce(): Promise<void> {
    let seen = this.items.length;
    let idle = 0;
    while (
      idle < COALESCE_IDLE_TURNS &&
      this.currentState === "open" &&
      !this.detached &&
      !this.buffered &&
      this.isReady &&
      this.queuedBytes < this.maxBatchBytes &&
      this.items.length - this.head < this.maxBatchMessages
    ) {
      await undefined;
      if (this.items.length !== seen) {
        seen = this.items.length;
        idle = 0;
      } else {
        idle++;
      }
    }
  }

  /**
   * Takes the next batch off the queue: whole groups, at least one, then more while the count
   * and byte caps allow (a group never passes them, save one larger message alone).
   */
  private takeBatch(): Item[] {
    const start = this.head;
    let end = start;
    let bytes = 0;
    while (end < this.items.length) {
      const group = this.items[end]!.group;
      if (end > start && (end - start + group.count > this.maxBatchMessages || bytes + group.bytes > this.maxBatchBytes)) break;
      bytes += group.bytes;
      end += group.count;
    }
    this.openGroup = undefined;
    const batch = this.items.slice(start, end);
    this.head = end;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  /** {@link build}, but a compression failure is reported and cancels the queue (undefined then). */
  private async buildOrCancel(items: Item[], prefix: readonly Uint8Array[]): Promise<Uint8Array | undefined> {
    try {
      return await this.build(items, prefix);
    } catch (e) {
      this.options.onError?.(e, "compression");
      this.cancel(e);
      return undefined;
    }
  }

  /** Compresses what needs it and writes the envelopes into one buffer; undefined if cancelled meanwhile. */
  private async build(items: Item[], prefix: readonly Uint8Array[]): Promise<Uint8Array | undefined> {
    const compression = this.options.compression;
    let size = 0;
    for (const c of prefix) size += c.byteLength;
    for (const item of items) {
      if (item.compress && item.compressed === undefined && compression !== undefined) {
        item.compressed = await compression.compress(item.payload);
        if (this.isCancelled()) return undefined;
      }
      size += 5 + (item.compressed ?? item.payload).byteLength;
    }
    const out = new Uint8Array(size);
    let at = 0;
    for (const c of prefix) {
      out.set(c, at);
      at += c.byteLength;
    }
    for (const item of items) {
      at =
        item.compressed !== undefined
          ? writeEnvelopeInto(out, at, FLAG_COMPRESSED, item.compressed)
          : writeEnvelopeInto(out, at, 0, item.payload);
    }
    return out;
  }

  /** The transport has the chunk: release the bytes, settle the sends, update readiness. */
  private handOut(items: readonly Item[]): void {
    for (const item of items) this.queuedBytes -= item.size;
    settleGroups(items, (g) => g.resolve());
    this.updateReadiness();
  }

  private updateReadiness(): void {
    const ready = this.isReady;
    if (ready === this.wasReady) return;
    this.wasReady = ready;
    if (!ready) return;
    this.readyWaiter?.resolve();
    this.readyWaiter = undefined;
    if (this.handler !== undefined) this.scheduleNotify();
  }

  private scheduleNotify(): void {
    if (this.notifyScheduled) return;
    this.notifyScheduled = true;
    queueMicrotask(() => {
      this.notifyScheduled = false;
      this.notify();
    });
  }

  private notify(): void {
    const handler = this.handler;
    if (handler === undefined || this.notifying || !this.isReady) return;
    this.notifying = true;
    try {
      handler();
    } catch (e) {
      this.options.onError?.(e, "onReady");
    } finally {
      this.notifying = false;
    }
  }

  /** A method, not a comparison, so that checks after an `await` are not narrowed away. */
  private isCancelled(): boolean {
    return this.currentState === "cancelled";
  }

  private wake(): void {
    const wake = this.wakePull;
    this.wakePull = undefined;
    wake?.();
    if (this.buffered) this.settleCollect();
  }

  /** A rejected promise that is already handled; the one for the cancel reason is made once. */
  private rejected(reason: unknown): Promise<void> {
    if (this.currentState === "cancelled" && this.rejectedReady !== undefined) return this.rejectedReady;
    const p = Promise.reject(reason);
    p.catch(noop);
    if (this.currentState === "cancelled") this.rejectedReady = p;
    return p;
  }
}

/** Why nothing more can be sent once the caller closed: a misuse of the call, not a fault of it. */
function closedError(): TripleError {
  return new TripleError("the stream was closed: nothing more can be sent", Code.FailedPrecondition);
}

/**
 * Chromium reads a streaming upload body through a promise of its own that nobody observes, so
 * erroring the body (the only way to make it reset the HTTP/2 stream, which is how the server
 * learns of the cancel) surfaces as an "unhandled rejection" in the page. The reason object is
 * fresh and private to the body, so marking exactly that object as expected hides nothing else.
 */
function ignoreUnobservedRejection(reason: Error): void {
  const target = globalThis as unknown as {
    addEventListener?: (type: string, listener: (event: { reason: unknown; preventDefault(): void }) => void) => void;
    removeEventListener?: (type: string, listener: (event: { reason: unknown; preventDefault(): void }) => void) => void;
  };
  if (typeof target.addEventListener !== "function" || typeof target.removeEventListener !== "function") return;
  const listener = (event: { reason: unknown; preventDefault(): void }) => {
    if (event.reason === reason) event.preventDefault();
  };
  target.addEventListener("unhandledrejection", listener);
  const timer = setTimeout(() => target.removeEventListener?.("unhandledrejection", listener), 5_000);
  // Bun and Deno have these events too, and their timers keep a process alive: this one must not.
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle === "object" && handle !== null && typeof handle.unref === "function") handle.unref();
  else (globalThis as { Deno?: { unrefTimer?(id: number): void } }).Deno?.unrefTimer?.(timer as unknown as number);
}
