// The client's half of the WebSocket mapping (docs/websocket.md): every WebSocket message is one
// frame of one call, `[call id: uint32 BE][type: uint8][payload]`. A call's bytes are those of a
// WebTransport call stream (webtransport-frames.ts); this file only cuts and tags them.

/** client → gateway: request bytes; gateway → client: uint32 BE messages completed, then bytes. */
export const WS_DATA = 0x00;
/** The sender's side of the call is complete. */
export const WS_FIN = 0x01;
/** The sender abandons the call; payload uint32 BE Triple code. */
export const WS_RESET = 0x02;
/** gateway → client: uint32 BE more request bytes the client may send on the call. */
export const WS_WINDOW = 0x03;
/** client → gateway: uint32 BE more response messages the gateway may send on the call. */
export const WS_CREDIT = 0x04;

/** The WebSocket mapping version this client speaks (the gateway's hello says its own). */
export const WS_MAPPING_VERSION = 1;

/** The gateway's first message, a JSON text: its version and the window every call starts with. */
export interface Hello {
  readonly v: number;
  /** Request bytes a call may send before the gateway grants more. */
  readonly sendWindowBytes: number;
}

/** One frame: the header and its payload. */
export function encodeWsFrame(id: number, type: number, payload?: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + (payload?.byteLength ?? 0));
  new DataView(out.buffer).setUint32(0, id, false);
  out[4] = type;
  if (payload) out.set(payload, 5);
  return out;
}

/** A frame whose payload is one uint32 (RESET's code, CREDIT's count). */
export function encodeWsCount(id: number, type: number, n: number): Uint8Array {
  const out = new Uint8Array(9);
  const view = new DataView(out.buffer);
  view.setUint32(0, id, false);
  out[4] = type;
  view.setUint32(5, n, false);
  return out;
}

/** A frame from the gateway, or undefined when it is too short to be one. */
export interface WsFrame {
  readonly id: number;
  readonly type: number;
  /** For DATA: the messages the bytes complete; for RESET and WINDOW: the count; else 0. */
  readonly count: number;
  /** For DATA: the call's bytes (a view into the message). */
  readonly bytes: Uint8Array;
}

export function decodeWsFrame(data: ArrayBuffer): WsFrame | undefined {
  if (data.byteLength < 5) return undefined;
  const view = new DataView(data);
  const id = view.getUint32(0, false);
  const type = view.getUint8(4);
  const counted = type === WS_DATA || type === WS_RESET || type === WS_WINDOW;
  if (counted && data.byteLength < 9) return undefined;
  return {
    id,
    type,
    count: counted ? view.getUint32(5, false) : 0,
    bytes: type === WS_DATA ? new Uint8Array(data, 9) : new Uint8Array(0),
  };
}

/** The gateway's hello, or undefined when the text is not one. */
export function parseHello(text: string): Hello | undefined {
  try {
    const o = JSON.parse(text) as Partial<Hello>;
    if (typeof o.v === "number" && typeof o.sendWindowBytes === "number" && o.sendWindowBytes > 0) {
      return { v: o.v, sendWindowBytes: o.sendWindowBytes };
    }
  } catch {
    // not JSON
  }
  return undefined;
}
