// One streaming call with explicit flow control, whatever the SDK build offers.
//
// With the SDK's flow-control API (`fn.open(...)`: send / isReady / ready / close, a pull-based
// `responses` stream, `request(n)`) the page uses it directly. Until that API is in the build, the
// same shape is made here from the iterable forms: a queue with a high-water mark feeds the request
// iterable (isReady = queue below its mark), and a ReadableStream with the same mark reads the
// response iterable, gated by request(n) credits. Either way the page code above is the same.

import { create, toBinary, type DescMethod, type Message, type MessageInitShape, type DescMessage } from "@bufbuild/protobuf";
import { type CallOptions, type Transport } from "triple-es";
import { createMethodFn } from "triple-es/internal";

export interface OpenOptions {
  /** For server streams: the one request. */
  request?: MessageInitShape<DescMessage>;
  /** Receive side: parsed responses that may wait for the reader. */
  responseHighWaterMark: number;
  /** Send side: queued request bytes at which isReady turns false (the SDK's default when undefined). */
  sendHighWaterMark?: number;
  /** Manual flow control: deliver this many responses, then only what request(n) allows. */
  initialRequest?: number;
  call: CallOptions;
}

export interface FlowCall {
  /** "call.open()" or "iterable fallback". */
  readonly api: string;
  send(message: MessageInitShape<DescMessage>): void;
  close(): void;
  cancel(reason?: unknown): void;
  isReady(): boolean;
  ready(): Promise<void>;
  /** Request bytes queued, not yet taken by the network. */
  bufferedAmount(): number;
  /** "streaming", or "buffered" where requests go as one body on close (fetch over HTTP/1.1). */
  requestMode(): string;
  /** Pull-based: the network is read only as this stream is read. */
  readonly responses: ReadableStream<Message>;
  /** In manual mode: allow n more responses. */
  request(n: number): void;
  readonly header: Promise<Headers>;
  readonly trailer: Promise<Headers>;
}

/** The flow-control API as the SDK's call.ts is expected to expose it (checked at run time). */
interface SdkCall {
  send(message: unknown): void;
  close(): void;
  cancel(reason?: unknown): void;
  readonly isReady: boolean;
  readonly ready: Promise<void> | (() => Promise<void>);
  readonly bufferedAmount?: number;
  readonly requestMode?: string;
  readonly responses: ReadableStream<Message>;
  request(n: number): void;
  readonly header: Promise<Headers> | Headers;
  readonly trailer: Promise<Headers> | Headers;
}
type Openable = { open: (...args: unknown[]) => SdkCall };

/** `?api=iterable` in the page's URL uses the iterable forms even where `open()` exists, to compare. */
const forceIterables = typeof location !== "undefined" && new URLSearchParams(location.search).get("api") === "iterable";

/** Whether this SDK build has `open()` on method functions. */
export function hasOpenApi(method: DescMethod, transport: Transport): boolean {
  const fn = createMethodFn(method, transport) as Partial<Openable>;
  return typeof fn.open === "function" && !forceIterables;
}

export function openCall(method: DescMethod, transport: Transport, options: OpenOptions): FlowCall {
  const fn = createMethodFn(method, transport) as Partial<Openable> & ((...args: unknown[]) => unknown);
  if (typeof fn.open === "function" && !forceIterables) return viaOpen(fn as unknown as Openable, method, options);
  return viaIterables(fn, method, options);
}

function viaOpen(fn: Openable, method: DescMethod, o: OpenOptions): FlowCall {
  const init = {
    ...o.call,
    receiveHighWaterMarkMessages: o.responseHighWaterMark,
    ...(o.sendHighWaterMark !== undefined ? { sendHighWaterMarkBytes: o.sendHighWaterMark } : {}),
    ...(o.initialRequest !== undefined ? { initialRequest: o.initialRequest } : {}),
  };
  const call = method.methodKind === "server_streaming" ? fn.open(o.request, init) : fn.open(init);
  return {
    api: "call.open()",
    send: (m) => call.send(m),
    close: () => call.close(),
    cancel: (r) => call.cancel(r),
    isReady: () => call.isReady,
    ready: () => (typeof call.ready === "function" ? call.ready() : call.ready),
    bufferedAmount: () => call.bufferedAmount ?? 0,
    requestMode: () => call.requestMode ?? "streaming",
    responses: call.responses,
    request: (n) => call.request(n),
    header: Promise.resolve(call.header),
    trailer: Promise.resolve(call.trailer),
  };
}

function viaIterables(fn: (...args: unknown[]) => unknown, method: DescMethod, o: OpenOptions): FlowCall {
  const abort = new AbortController();
  const signal = o.call.signal ? AbortSignal.any([o.call.signal, abort.signal]) : abort.signal;
  let gotHeader!: (h: Headers) => void;
  let gotTrailer!: (h: Headers) => void;
  let failTrailer!: (e: unknown) => void;
  const header = new Promise<Headers>((r) => (gotHeader = r));
  const trailer = new Promise<Headers>((resolve, reject) => {
    gotTrailer = resolve;
    failTrailer = reject;
  });
  trailer.catch(() => {});
  const callOptions: CallOptions = {
    ...o.call,
    signal,
    onHeader: (h) => {
      gotHeader(h);
      o.call.onHeader?.(h);
    },
    onTrailer: (t) => {
      gotTrailer(t);
      o.call.onTrailer?.(t);
    },
  };

  const queue = new SendQueue(o.sendHighWaterMark ?? 64 * 1024, (m) => toBinary(method.input, create(method.input, m)).byteLength + 5);
  const source: AsyncIterable<Message> = (() => {
    switch (method.methodKind) {
      case "server_streaming":
        return fn(o.request, callOptions) as AsyncIterable<Message>;
      case "bidi_streaming":
        return fn(queue, callOptions) as AsyncIterable<Message>;
      case "client_streaming":
        return (async function* () {
          yield (await fn(queue, callOptions)) as Message;
        })();
      default:
        return (async function* () {
          yield (await fn(o.request, callOptions)) as Message;
        })();
    }
  })();

  const credits = new Credits(o.initialRequest);
  const iterator = source[Symbol.asyncIterator]();
  const responses = new ReadableStream<Message>(
    {
      async pull(controller) {
        await credits.take(signal);
        try {
          const r = await iterator.next();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          failTrailer(e);
          throw e;
        }
      },
      async cancel(reason) {
        abort.abort(reason);
        await iterator.return?.();
      },
    },
    new CountQueuingStrategy({ highWaterMark: Math.max(0, o.responseHighWaterMark) }),
  );

  return {
    api: "iterable fallback",
    send: (m) => queue.send(m),
    close: () => queue.close(),
    cancel: (reason) => {
      abort.abort(reason);
      queue.close();
      credits.release();
    },
    isReady: () => queue.isReady,
    ready: () => queue.ready(),
    bufferedAmount: () => queue.bytes,
    requestMode: () => "streaming",
    responses,
    request: (n) => credits.add(n),
    header,
    trailer,
  };
}

/** Messages waiting for the SDK to pull them into the request body; ready below the mark (bytes). */
class SendQueue implements AsyncIterable<MessageInitShape<DescMessage>> {
  private readonly items: { message: MessageInitShape<DescMessage>; size: number }[] = [];
  private closed = false;
  private wakeReader: (() => void) | undefined;
  private readyWaiters: (() => void)[] = [];
  bytes = 0;

  constructor(
    private readonly highWaterMark: number,
    private readonly sizeOf: (m: MessageInitShape<DescMessage>) => number,
  ) {}

  get isReady(): boolean {
    return !this.closed && this.bytes < Math.max(1, this.highWaterMark);
  }

  send(m: MessageInitShape<DescMessage>): void {
    if (this.closed) throw new Error("send() after close()");
    const size = this.sizeOf(m);
    this.items.push({ message: m, size });
    this.bytes += size;
    this.wakeReader?.();
  }

  close(): void {
    this.closed = true;
    this.wakeReader?.();
    this.notifyReady();
  }

  ready(): Promise<void> {
    if (this.isReady || this.closed) return Promise.resolve();
    return new Promise((r) => this.readyWaiters.push(r));
  }

  private notifyReady(): void {
    if (!this.isReady && !this.closed) return;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const w of waiters) w();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<MessageInitShape<DescMessage>> {
    for (;;) {
      if (this.items.length > 0) {
        const item = this.items.shift()!;
        this.bytes -= item.size;
        this.notifyReady();
        yield item.message;
        continue;
      }
      if (this.closed) return;
      await new Promise<void>((r) => (this.wakeReader = r));
      this.wakeReader = undefined;
    }
  }
}

/** request(n) credits; unlimited unless an initial request was given. */
class Credits {
  private left: number;
  private waiter: (() => void) | undefined;

  constructor(initial: number | undefined) {
    this.left = initial ?? Infinity;
  }

  add(n: number): void {
    this.left += n;
    this.release();
  }

  release(): void {
    this.waiter?.();
    this.waiter = undefined;
  }

  async take(signal: AbortSignal): Promise<void> {
    while (this.left <= 0 && !signal.aborted) {
      await new Promise<void>((r) => {
        this.waiter = r;
        signal.addEventListener("abort", () => r(), { once: true });
      });
    }
    this.left--;
  }
}
