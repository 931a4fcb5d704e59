// Downstream WebSocket: for engines without WebTransport (WebKit, Safari) and networks that block
// UDP. One WebSocket carries many calls; each call's bytes are exactly those of a WebTransport call
// stream (head frame, envelopes, end, cancel and credit frames), cut into WebSocket messages
// (docs/websocket.md):
//
//   [call id: uint32 BE][type: uint8][payload]
//   0x00 DATA    client → gateway: the call's request bytes;
//                gateway → client: uint32 BE count of response messages completed, then bytes
//   0x01 FIN     the sender's side of the call is complete
//   0x02 RESET   the sender abandons the call; payload uint32 BE Triple code (1 canceled, 4 deadline)
//   0x03 WINDOW  gateway → client: uint32 BE more request bytes the client may send on the call
//   0x04 CREDIT  client → gateway: uint32 BE more response messages the gateway may send on the call
//                (beside the head's `credits`; out of band, so it never waits behind request bytes)
//
// A WebSocket has no backpressure of its own in a browser, so both directions are counted: the
// client grants response messages (the head's `credits`, then credit frames, as its consumer
// reads) and the gateway reads the upstream only while it has credit; the gateway grants request
// bytes (a window, refilled as the upstream takes them) and a client that overruns it is reset.

import { Call, type Downstream, errText } from "./call.ts";
import { startCall, type SessionContext } from "./downstream-webtransport.ts";
import { WireError } from "./wire.ts";

export const WS_DATA = 0x00;
export const WS_FIN = 0x01;
export const WS_RESET = 0x02;
export const WS_WINDOW = 0x03;
export const WS_CREDIT = 0x04;

/** The WebSocket mapping's version, in the gateway's hello. */
export const WS_MAPPING_VERSION = 1;

/** Request bytes a client may send on a call before the gateway grants more. */
export const SEND_WINDOW_BYTES = 256 * 1024;

/** Response messages a call may receive when its head grants none (a WebSocket call must be counted). */
const DEFAULT_CREDITS = 16;

export interface WebSocketListenerOptions {
  hostname: string;
  /** TCP port; 0 picks one. */
  port: number;
  /** PEM certificate and key for wss://; plain ws:// without. */
  cert?: string | undefined;
  key?: string | undefined;
  /** Origins allowed to open a WebSocket (the browser's Origin header); empty: any. */
  allowedOrigins: readonly string[];
}

export interface WebSocketListener {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the WebSocket downstream on its own TCP port. */
export function listenWebSocket(o: WebSocketListenerOptions, ctx: SessionContext): WebSocketListener {
  const sockets = new Set<WsSession>();
  const ready = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: o.hostname,
    port: o.port,
    ...(o.cert && o.key ? { cert: o.cert, key: o.key } : {}),
    onListen: (addr) => ready.resolve(addr as Deno.NetAddr),
  }, (req) => {
    if (req.headers.get("upgrade")?.toLowerCase() !== "websocket") {
      return new Response("triple-es gateway: WebSocket endpoint (docs/websocket.md)\n", { status: 426, headers: { upgrade: "websocket" } });
    }
    const origin = req.headers.get("origin");
    if (o.allowedOrigins.length > 0 && (origin === null || !o.allowedOrigins.includes(origin))) {
      ctx.options.log(`${new Date().toISOString()} websocket refused: origin ${origin ?? "(none)"} is not allowed`);
      return new Response(`origin ${origin ?? "(none)"} is not allowed\n`, { status: 403 });
    }
    if (ctx.closing()) return new Response("gateway shutting down\n", { status: 503 });
    const { socket, response } = Deno.upgradeWebSocket(req);
    const session = new WsSession(socket, origin ?? "-", ctx);
    sockets.add(session);
    socket.addEventListener("close", () => sockets.delete(session));
    return response;
  });
  const addr = server.addr as Deno.NetAddr;
  const scheme = o.cert && o.key ? "wss" : "ws";
  return {
    url: `${scheme}://${addr.hostname}:${addr.port}/`,
    async close() {
      for (const s of sockets) s.shutdown();
      await server.shutdown();
    },
  };
}

class WsSession {
  static #seq = 0;
  readonly id = ++WsSession.#seq;
  readonly calls = new Map<number, WsCall>();
  /** The highest call id opened so far (0: none). */
  #highestId = 0;

  constructor(readonly socket: WebSocket, readonly origin: string, readonly ctx: SessionContext) {
    socket.binaryType = "arraybuffer";
    socket.addEventListener("open", () => {
      socket.send(JSON.stringify({
        v: WS_MAPPING_VERSION,
        sendWindowBytes: SEND_WINDOW_BYTES,
        maxMessageBytes: ctx.options.maxMessageBytes,
      }));
      this.log(`opened (origin ${origin})`);
    });
    socket.addEventListener("message", (e) => this.onMessage(e.data));
    socket.addEventListener("close", (e) => {
      for (const c of this.calls.values()) c.call.cancel(`websocket closed (code ${e.code})`);
      this.calls.clear();
      this.log(`closed (code ${e.code})`);
    });
  }

  log(what: string): void {
    this.ctx.options.log(`${new Date().toISOString()} websocket w${this.id} ${what}`);
  }

  /** Sends one frame of the mapping; false when the socket is gone. */
  send(id: number, type: number, payload: Uint8Array, prefix?: number): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    const extra = prefix === undefined ? 0 : 4;
    const out = new Uint8Array(5 + extra + payload.byteLength);
    const view = new DataView(out.buffer);
    view.setUint32(0, id, false);
    out[4] = type;
    if (prefix !== undefined) view.setUint32(5, prefix, false);
    out.set(payload, 5 + extra);
    this.socket.send(out);
    return true;
  }

  private onMessage(data: unknown): void {
    if (!(data instanceof ArrayBuffer) || data.byteLength < 5) {
      this.log("protocol error: a text or short message; closing");
      this.socket.close(1002, "triple-es: binary frames of the mapping only");
      return;
    }
    const bytes = new Uint8Array(data);
    const view = new DataView(data);
    const id = view.getUint32(0, false);
    const type = bytes[4]!;
    const payload = bytes.subarray(5);
    let c = this.calls.get(id);
    if (c === undefined) {
      // A frame of a call that is over (the gateway ended it first: an error, a deadline) must not
      // open a new call under the old id: clients number their calls upward, so only a higher id
      // (or one past the 2^32 wrap) is new.
      if (type !== WS_DATA || !this.#isNewId(id)) return;
      this.#highestId = id;
      if (this.ctx.closing()) {
        this.send(id, WS_RESET, u32(14));
        return;
      }
      c = new WsCall(this, id);
      this.calls.set(id, c);
      c.start();
    }
    switch (type) {
      case WS_DATA: return c.data(payload);
      case WS_FIN: return c.fin();
      case WS_RESET: return c.reset(payload.byteLength >= 4 ? readU32(payload) : 1);
      case WS_CREDIT:
        if (payload.byteLength !== 4) return void c.call.fail("invalid_argument", "a CREDIT frame carries a 4-byte count", 400);
        return c.call.grant(readU32(payload));
      default:
        c.call.fail("invalid_argument", `unknown WebSocket frame type ${type}`, 400);
    }
  }

  #isNewId(id: number): boolean {
    return id > this.#highestId || this.#highestId - id > 0x80000000;
  }

  shutdown(): void {
    for (const c of this.calls.values()) void c.call.fail("unavailable", "gateway shutting down", 503);
    try {
      this.socket.close(1001, "gateway shutting down");
    } catch { /* already closed */ }
  }
}

/** One call on a WebSocket: its request bytes as a stream for the Call, its response as frames. */
class WsCall {
  readonly call: Call;
  /** Request bytes received and not yet taken by the call: at most the window (plus slack). */
  readonly #queue: Uint8Array[] = [];
  #queued = 0;
  /** Bytes taken by the call and not yet granted back (granted in batches of a quarter window). */
  #ungranted = 0;
  #ended: "fin" | Error | undefined;
  #wake: (() => void) | undefined;
  /** The response side is over (FIN or RESET sent): no more frames toward the client. */
  #finished = false;

  constructor(readonly session: WsSession, readonly id: number) {
    // The call pulls request bytes as it forwards them; each chunk taken returns its bytes to the
    // client's window, so the window is refilled only as fast as the upstream takes messages.
    const readable = new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        while (this.#queue.length === 0 && this.#ended === undefined) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
        }
        const chunk = this.#queue.shift();
        if (chunk !== undefined) {
          this.#queued -= chunk.byteLength;
          this.#ungranted += chunk.byteLength;
          if (this.#ungranted >= SEND_WINDOW_BYTES / 4 && !this.#finished) {
            session.send(id, WS_WINDOW, u32(this.#ungranted));
            this.#ungranted = 0;
          }
          controller.enqueue(chunk);
        } else if (this.#ended === "fin") {
          controller.close();
        } else {
          controller.error(this.#ended);
        }
      },
    }, { highWaterMark: 0 });
    const downstream: Downstream = {
      // The socket takes every frame at once; the client's credits bound how many there are.
      write: (bytes, messages) =>
        session.send(id, WS_DATA, bytes, messages) ? Promise.resolve() : Promise.reject(new Error("the WebSocket is closed")),
      close: () => {
        this.#finished = true;
        session.send(id, WS_FIN, new Uint8Array());
        session.calls.delete(id);
        return Promise.resolve();
      },
    };
    const o = session.ctx.options;
    this.call = new Call(`w${session.id}/${id}`, readable, downstream, o, o.log, () => session.calls.delete(id));
  }

  start(): void {
    this.call.src.prefetch();
    // A WebSocket call is always counted: without the head's credits, a small default.
    startCall(this.call, this.session.ctx, DEFAULT_CREDITS)
      .catch((e) => {
        if (this.call.ending) return;
        if (e instanceof WireError) return this.call.fail(e.code, e.message, e.status);
        return this.call.fail("internal", `gateway error: ${errText(e)}`, 500);
      });
    // The call's end (any way) also ends its frames toward the client: a cancelled call is reset.
    void this.call.finished.then(() => {
      if (!this.#finished && this.call.result?.kind === "canceled") {
        this.#finished = true;
        this.session.send(this.id, WS_RESET, u32(1));
      }
    });
  }

  data(bytes: Uint8Array): void {
    if (this.#finished) return;
    this.#queued += bytes.byteLength;
    // The window plus one frame of slack: a client that sends more ignores the mapping.
    if (this.#queued > SEND_WINDOW_BYTES + this.session.ctx.options.maxMessageBytes + 64 * 1024) {
      void this.call.fail("resource_exhausted", `the client sent ${this.#queued} bytes past its window of ${SEND_WINDOW_BYTES}`, 429);
      return;
    }
    this.#queue.push(bytes.slice());
    this.#wakeReader();
  }

  fin(): void {
    this.#ended ??= "fin";
    this.#wakeReader();
  }

  reset(code: number): void {
    this.#finished = true;
    this.#ended = new Error(`client reset the stream (code ${code})`);
    this.#wakeReader();
    this.call.cancel(`client reset the call (code ${code})`);
  }

  #wakeReader(): void {
    const w = this.#wake;
    this.#wake = undefined;
    w?.();
  }
}

function readU32(b: Uint8Array): number {
  return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
}

function u32(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, false);
  return b;
}
