// A transport over one WebSocket to the triple-es gateway (gateway/, `--ws-port`), for engines
// without WebTransport (WebKit/Safari) and networks that block UDP: every call kind, full duplex.
//
// Each call is the same byte stream as a WebTransport call (webtransport.ts's `exchange` runs it),
// multiplexed on the WebSocket (websocket-frames.ts, docs/websocket.md). A WebSocket has no flow
// control a page can use: a browser delivers every message as it arrives, and `send` never waits.
// So both directions are counted in-band, as Dubbo's flow control counts them:
// - receive: a call grants the gateway `responseWindowMessages` messages; each message the caller
//   takes off the body is granted again. The gateway reads its upstream only with credit, so a
//   paused consumer stops the server (HTTP/2 flow control upstream) with a bounded lead.
// - send: the gateway grants each call a window of request bytes and refills it as its upstream
//   takes them; a write waits for window, so the call's `isReady` turns false when the server is slow.

import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { resolveTransportConfig } from "./config.js";
import type { HttpRequest, HttpResponse, Transport, TransportOptions } from "./transport.js";
import { type CallCarrier, exchange, untilAborted } from "./webtransport.js";
import { requestPath } from "./webtransport-frames.js";
import {
  decodeWsFrame,
  encodeWsCount,
  encodeWsFrame,
  type Hello,
  parseHello,
  WS_CREDIT,
  WS_DATA,
  WS_FIN,
  WS_MAPPING_VERSION,
  WS_RESET,
  WS_WINDOW,
  type WsFrame,
} from "./websocket-frames.js";

/** The parts of a WebSocket this transport uses (the DOM class, Deno's, Bun's, workerd's). */
export interface WebSocketLike {
  binaryType: string;
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: Uint8Array): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: "open" | "message" | "close" | "error", listener: (event: Event & { data?: unknown; code?: number; reason?: string }) => void): void;
}

/** A WebSocket constructor, such as `globalThis.WebSocket`. */
export type WebSocketConstructor = new (url: string) => WebSocketLike;

/** Options for {@link createWebSocketTransport}. */
export interface WebSocketTransportOptions extends Omit<TransportOptions, "baseUrl"> {
  /** The gateway's WebSocket URL, e.g. `ws://127.0.0.1:4434/` (what it prints as `webSocketUrl`). */
  url: string;
  /**
   * Response messages a call may receive ahead of its reader (the credit it grants the gateway,
   * topped up as the reader takes messages). Bounds what waits in memory per call. Default 16.
   */
  responseWindowMessages?: number;
  /** The WebSocket class to use; defaults to `globalThis.WebSocket`, looked up per connection. */
  WebSocket?: WebSocketConstructor;
}

/** A transport over one WebSocket (see {@link createWebSocketTransport}). */
export interface WebSocketTransport extends Transport {
  readonly url: string;
  /** How many WebSockets this transport has opened so far. */
  readonly connectionsOpened: number;
  /** Whether a WebSocket is open now. */
  readonly connected: boolean;
  /** Closes the WebSocket; its calls fail with `Unavailable`, the next call opens a new one. */
  close(reason?: string): void;
}

const DEFAULT_RESPONSE_WINDOW = 16;
/** Sends wait while the socket holds more than this unsent (all calls together). */
const MAX_SOCKET_BUFFERED_BYTES = 4 * 1024 * 1024;
const OPEN = 1;
const noop = () => {};

/**
 * A transport that carries every call over one WebSocket to the triple-es gateway, which calls the
 * server (dubbo-js over Triple, Dubbo Java and dubbo-go over gRPC). Request bodies stream both ways
 * at once (`requestStreaming` is `"full-duplex"`), with credits and windows instead of the flow
 * control a WebSocket lacks.
 *
 * ```ts
 * import { createWebSocketTransport } from "triple-es/websocket";
 * const transport = createWebSocketTransport({ url: "wss://gateway.example/" });
 * ```
 */
export function createWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const url = checkUrl(options.url);
  const config = resolveTransportConfig({ ...options, baseUrl: url });
  const window = options.responseWindowMessages ?? DEFAULT_RESPONSE_WINDOW;
  if (!Number.isInteger(window) || window < 1) {
    throw new TypeError(`responseWindowMessages must be a whole number ≥ 1, not ${window}`);
  }
  let current: Connection | undefined;
  let opened = 0;

  async function acquire(signal: AbortSignal): Promise<Connection> {
    if (current === undefined || current.state === "closed") {
      opened++;
      const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      current = new Connection(Ctor, url, window);
    }
    const c = current;
    await untilAborted(c.ready, signal);
    return c;
  }

  return {
    ...config,
    url,
    get connectionsOpened() {
      return opened;
    },
    get connected() {
      return current !== undefined && current.state === "open";
    },
    close(reason = "closed by the client") {
      current?.close(reason);
      current = undefined;
    },
    async roundTrip(req: HttpRequest): Promise<HttpResponse> {
      if (req.signal.aborted) throw TripleError.from(req.signal.reason);
      const path = requestPath(config.baseUrl, req.url);
      const connection = await acquire(req.signal);
      const call = connection.openCall();
      call.onUploadAcknowledged = req.onUploadAcknowledged;
      return exchange(call.carrier, call, req, path);
    },
    requestStreaming: "full-duplex",
  };
}

function checkUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new TypeError(`createWebSocketTransport: ${JSON.stringify(raw)} is not a URL`);
  }
  if (u.protocol !== "ws:" && u.protocol !== "wss:") {
    throw new TypeError(`createWebSocketTransport: the URL must be ws:// or wss://, not ${u.protocol}//`);
  }
  return u.href;
}

/** One WebSocket to the gateway and the calls on it. */
class Connection {
  state: "connecting" | "open" | "closed" = "connecting";
  readonly ready: Promise<void>;
  private readonly ws: WebSocketLike | undefined;
  private hello: Hello | undefined;
  private readonly calls = new Map<number, WsCall>();
  private nextId = 1;
  private closeError: TripleError | undefined;

  constructor(Ctor: WebSocketConstructor | undefined, readonly url: string, readonly window: number) {
    let resolveReady!: () => void;
    let rejectReady!: (e: unknown) => void;
    this.ready = new Promise<void>((resolve, reject) => {
      resolveReady = resolve;
      rejectReady = reject;
    });
    const ready = { resolve: resolveReady, reject: rejectReady };
    this.ready.catch(noop);
    if (typeof Ctor !== "function") {
      this.state = "closed";
      ready.reject(new TripleError("this runtime has no WebSocket class: pass options.WebSocket", Code.Unimplemented));
      return;
    }
    let ws: WebSocketLike;
    try {
      ws = new Ctor(url);
    } catch (e) {
      this.state = "closed";
      ready.reject(new TripleError(`cannot open a WebSocket to ${url}: ${message(e)}`, Code.Unavailable, { cause: e }));
      return;
    }
    this.ws = ws;
    ws.binaryType = "arraybuffer";
    ws.addEventListener("message", (e) => {
      if (typeof e.data === "string") {
        const hello = parseHello(e.data);
        if (hello === undefined || hello.v !== WS_MAPPING_VERSION) {
          this.lost(new TripleError(`the gateway at ${url} speaks another WebSocket mapping (hello ${e.data.slice(0, 100)}); this client speaks v${WS_MAPPING_VERSION}`, Code.Unimplemented));
          ready.reject(this.closeError);
          ws.close(1002, "unsupported mapping version");
          return;
        }
        this.hello = hello;
        this.state = "open";
        ready.resolve();
        return;
      }
      const frame = e.data instanceof ArrayBuffer ? decodeWsFrame(e.data) : undefined;
      if (frame === undefined) return this.protocolError("a malformed frame");
      this.calls.get(frame.id)?.onFrame(frame);
    });
    ws.addEventListener("close", (e) => {
      const why = `the WebSocket to ${url} closed (code ${e.code ?? "?"}${e.reason ? `, ${e.reason}` : ""})`;
      const err = new TripleError(
        this.state === "connecting" ? `cannot open a WebSocket to ${url}: ${why}. Is the gateway running with --ws-port, and is this origin allowed?` : why,
        Code.Unavailable,
      );
      this.lost(err);
      ready.reject(this.closeError);
    });
  }

  private protocolError(what: string): void {
    this.lost(new TripleError(`the gateway at ${this.url} sent ${what}`, Code.Internal));
    this.ws?.close(1002, what);
  }

  private lost(e: TripleError): void {
    this.state = "closed";
    this.closeError ??= e;
    for (const call of this.calls.values()) call.fail(this.closeError);
    this.calls.clear();
  }

  lostError(e: unknown): TripleError {
    if (e instanceof TripleError) return e;
    return this.closeError ?? new TripleError(`the WebSocket call failed: ${message(e)}`, Code.Unavailable, { cause: e });
  }

  /** Sends a frame; false when the socket is no longer open. */
  send(frame: Uint8Array): boolean {
    if (this.ws === undefined || this.ws.readyState !== OPEN) return false;
    this.ws.send(frame);
    return true;
  }

  /** Whether the socket holds too much unsent data to take more now. */
  get congested(): boolean {
    return (this.ws?.bufferedAmount ?? 0) > MAX_SOCKET_BUFFERED_BYTES;
  }

  openCall(): WsCall {
    const id = this.nextId++;
    if (this.nextId > 0xffffffff) this.nextId = 1;
    const call = new WsCall(this, id, this.hello!.sendWindowBytes);
    this.calls.set(id, call);
    return call;
  }

  endCall(id: number): void {
    this.calls.delete(id);
  }

  close(reason: string): void {
    this.lost(new TripleError(`the WebSocket to ${this.url} was closed: ${reason}`, Code.Unavailable));
    try {
      this.ws?.close(1000, reason.slice(0, 100));
    } catch {
      // already closed
    }
  }
}

/** Response bytes from the gateway and the messages they complete. */
interface Received {
  readonly bytes: Uint8Array;
  readonly messages: number;
}

/** One call's byte streams on the WebSocket, shaped like a WebTransport stream for `exchange`. */
class WsCall {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  readonly carrier: CallCarrier;
  private readonly queue: Received[] = [];
  private ended: "fin" | TripleError | undefined;
  private wakeReader: (() => void) | undefined;
  private wakeWriter: (() => void) | undefined;
  /** Response messages allowed so far (the head's credits and every credit frame) and received. */
  private allowed: number;
  private received = 0;
  /** Messages taken by the caller and not yet granted back (granted in batches, see below). */
  private ungranted = 0;
  /** Request bytes the gateway allows now. */
  private sendWindow: number;
  /**
   * Upload progress (set when the caller watches it): the gateway's WINDOW grants, in all, are the
   * call-stream bytes it has taken; less the request head frame (the first write), the body bytes.
   */
  onUploadAcknowledged: ((totalBytes: number) => void) | undefined;
  private headBytes: number | undefined;
  private grantedBytes = 0;
  /** A RESET or FIN was sent: this side is over. */
  private resetSent = false;
  private finSent = false;

  /** Credits are granted back once this many messages were taken: half the window. */
  private readonly grantBatch: number;

  constructor(private readonly connection: Connection, readonly id: number, sendWindowBytes: number) {
    this.allowed = connection.window;
    this.grantBatch = Math.max(1, Math.floor(connection.window / 2));
    this.sendWindow = sendWindowBytes;
    this.carrier = {
      url: connection.url,
      credits: connection.window,
      release: () => connection.endCall(id),
      lostError: (e) => connection.lostError(e),
    };
    this.readable = new ReadableStream<Uint8Array>(
      {
        pull: async (controller) => {
          while (this.queue.length === 0 && this.ended === undefined) {
            await new Promise<void>((resolve) => (this.wakeReader = resolve));
          }
          const next = this.queue.shift();
          if (next !== undefined) {
            // The caller took these messages: the gateway may send as many more. Granted once half
            // the window is taken (as HTTP/2 and Dubbo send window updates), so a ping-pong does
            // not send a tiny frame per message (which Nagle's algorithm would hold back ~40 ms).
            this.ungranted += next.messages;
            if (this.ungranted >= this.grantBatch && this.ended === undefined) {
              this.allowed += this.ungranted;
              connection.send(encodeWsCount(id, WS_CREDIT, this.ungranted));
              this.ungranted = 0;
            }
            controller.enqueue(next.bytes);
          } else if (this.ended === "fin") {
            controller.close();
          } else {
            controller.error(this.ended);
          }
        },
        cancel: (reason) => this.reset(reason),
      },
      { highWaterMark: 0 },
    );
    this.writable = new WritableStream<Uint8Array>({
      write: async (chunk) => {
        // Wait for the gateway's window (one write may take it below zero: the gateway allows a
        // message of slack) and for the socket to drain what it holds.
        while ((this.sendWindow <= 0 || connection.congested) && this.ended === undefined) {
          await new Promise<void>((resolve) => {
            this.wakeWriter = resolve;
            if (connection.congested && this.sendWindow > 0) setTimeout(resolve, 5);
          });
        }
        if (this.ended instanceof TripleError) throw this.ended;
        // The first write is the head frame: a 5-byte prefix whose bytes 1–4 hold its length.
        this.headBytes ??= 5 + new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength).getUint32(1);
        this.sendWindow -= chunk.byteLength;
        if (!connection.send(encodeWsFrame(id, WS_DATA, chunk))) throw connection.lostError(new Error("the WebSocket is closed"));
      },
      close: () => {
        if (!this.finSent && !this.resetSent) connection.send(encodeWsFrame(id, WS_FIN));
        this.finSent = true;
      },
      abort: (reason) => this.reset(reason),
    });
  }

  onFrame(frame: WsFrame): void {
    switch (frame.type) {
      case WS_DATA:
        this.received += frame.count;
        if (this.received > this.allowed) {
          this.fail(new TripleError(`the gateway sent ${this.received} messages on a call that allowed ${this.allowed}`, Code.Internal));
          this.reset(undefined);
          return;
        }
        this.queue.push({ bytes: frame.bytes.slice(), messages: frame.count });
        this.wake();
        return;
      case WS_FIN:
        this.ended ??= "fin";
        this.wake();
        return;
      case WS_RESET:
        this.fail(new TripleError(`the gateway reset the call (code ${frame.count})`, frame.count === Code.DeadlineExceeded ? Code.DeadlineExceeded : Code.Unavailable));
        return;
      case WS_WINDOW:
        this.sendWindow += frame.count;
        this.grantedBytes += frame.count;
        this.onUploadAcknowledged?.(this.grantedBytes - (this.headBytes ?? 0));
        this.wake();
        return;
    }
  }

  /** The call cannot go on (the gateway reset it, the socket closed). */
  fail(error: TripleError): void {
    if (this.ended === undefined || this.ended === "fin") this.ended = error;
    this.wake();
  }

  /** Abandons the call: RESET with the Triple code of the reason (a cancel, a deadline). */
  private reset(reason: unknown): void {
    if (!this.resetSent && !this.finSent) {
      const code = (reason as { streamErrorCode?: unknown } | undefined)?.streamErrorCode;
      this.connection.send(encodeWsCount(this.id, WS_RESET, typeof code === "number" ? code : Code.Canceled));
    }
    this.resetSent = true;
    this.fail(TripleError.from(reason ?? new TripleError("the call was reset", Code.Canceled), Code.Canceled));
    this.connection.endCall(this.id);
  }

  private wake(): void {
    const r = this.wakeReader;
    const w = this.wakeWriter;
    this.wakeReader = this.wakeWriter = undefined;
    r?.();
    w?.();
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
