// The byte layout of the WebTransport ↔ Triple mapping, versions 1 and 2 (docs/webtransport.md).
// Pure functions and a buffered reader; no network calls.

/**
 * The newest mapping version this gateway speaks. Version 2 adds the request head's `body`
 * ("message" or "envelopes"), so the gateway need not guess unary from stream by content type
 * (needed for the gRPC upstream, where both become envelopes). The gateway answers each call in
 * the version its client spoke; version 1 heads are still read (by content type).
 */
export const MAPPING_VERSION = 2;

/** Frame flags (the first byte of every 5-byte-prefixed frame). */
export const FLAG_COMPRESSED = 0x01;
export const FLAG_END = 0x02;
/**
 * A credit frame (mapping v2, client → gateway, any time after the head): its payload, a uint32
 * big-endian n, allows the gateway n more response messages on this call. Only calls whose head
 * set `credits` are counted; the others are paced by the transport's own flow control (QUIC).
 */
export const FLAG_CREDIT = 0x04;

/** WebTransport over HTTP/3: a bidirectional stream starts with this varint, then the session id. */
export const WT_BIDI_STREAM_TYPE = 0x41;

/** QUIC application error codes of WebTransport stream resets start here (HTTP/3 error space). */
const WT_ERROR_FIRST = 0x52e4a40fa8dbn;

export interface Frame {
  readonly flags: number;
  readonly payload: Uint8Array;
}

/** The first frame a client writes on a call's stream. */
export interface RequestHead {
  readonly v: number;
  /** v2: "message" for a unary call (one bare body), "envelopes" for a stream. */
  readonly body: "message" | "envelopes";
  /**
   * v2: the response messages the client allows at first; more come in credit frames. Undefined:
   * no message credits (the transport's flow control paces the call, as in v1).
   */
  readonly credits: number | undefined;
  /** `/package.Service/Method`, appended to the upstream base URL. */
  readonly path: string;
  /** Request metadata, names lower-cased; `content-type` is required. */
  readonly headers: Record<string, string>;
}

/** The first frame the gateway writes on a call's stream. */
export interface ResponseHead {
  readonly v: number;
  readonly status: number;
  readonly headers: Record<string, string>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

export function encodeFrame(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.byteLength);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, payload.byteLength, false);
  out.set(payload, 5);
  return out;
}

export function encodeJsonFrame(flags: number, value: unknown): Uint8Array {
  return encodeFrame(flags, encoder.encode(JSON.stringify(value)));
}

export function encodeVarint(value: number): Uint8Array {
  if (value < 0x40) return Uint8Array.of(value);
  if (value < 0x4000) return Uint8Array.of(0x40 | (value >> 8), value & 0xff);
  if (value < 0x40000000) {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setUint32(0, value + 0x80000000, false);
    return b;
  }
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(value) | (3n << 62n), false);
  return b;
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.byteLength;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.byteLength;
  }
  return out;
}

/** A frame, head or message that breaks the mapping; becomes a 400-class error for the client. */
export class WireError extends Error {
  constructor(
    message: string,
    /** A Connect-style code string for the error body. */
    readonly code: "invalid_argument" | "resource_exhausted" | "unimplemented" | "internal",
    /** The HTTP status of the synthetic response head, when no head was sent yet. */
    readonly status: number,
  ) {
    super(message);
  }
}

const headerName = /^[!#$%&'*+\-.^_`|~0-9a-z]+$/;
const headerValue = /^[\t\x20-\x7e\x80-\xff]*$/;
const pathPattern = /^\/[^/?#\s]+\/[^/?#\s]+$/;

/** The count of a credit frame's payload; WireError unless it is exactly a uint32. */
export function creditCount(payload: Uint8Array): number {
  if (payload.byteLength !== 4) throw new WireError("a credit frame carries a 4-byte count", "invalid_argument", 400);
  return new DataView(payload.buffer, payload.byteOffset, 4).getUint32(0, false);
}

/** Validates and normalizes a request head frame's JSON payload. */
export function parseRequestHead(payload: Uint8Array): RequestHead {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch {
    throw new WireError("request head is not UTF-8 JSON", "invalid_argument", 400);
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new WireError("request head is not a JSON object", "invalid_argument", 400);
  }
  const o = json as Record<string, unknown>;
  if (o.v !== 1 && o.v !== 2) {
    throw new WireError(
      `unsupported mapping version ${JSON.stringify(o.v)}; this gateway speaks v1 and v${MAPPING_VERSION}`,
      "unimplemented",
      505,
    );
  }
  if (o.v === 2 && o.body !== "message" && o.body !== "envelopes") {
    throw new WireError(`request head: "body" must be "message" or "envelopes" (mapping v2)`, "invalid_argument", 400);
  }
  const path = o.path;
  if (typeof path !== "string" || !pathPattern.test(path) || path.includes("/../") || path.endsWith("/..")) {
    throw new WireError(`request head: "path" must look like /package.Service/Method`, "invalid_argument", 400);
  }
  const raw = o.headers;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new WireError(`request head: "headers" must be an object of strings`, "invalid_argument", 400);
  }
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(raw)) {
    const name = k.toLowerCase();
    if (typeof v !== "string" || !headerName.test(name) || !headerValue.test(v)) {
      throw new WireError(`request head: invalid header ${JSON.stringify(k)}`, "invalid_argument", 400);
    }
    headers[name] = name in headers ? `${headers[name]}, ${v}` : v;
  }
  if (!headers["content-type"]) {
    throw new WireError(`request head: "content-type" header is required`, "invalid_argument", 400);
  }
  const body = o.v === 2 ? (o.body as "message" | "envelopes") : isStreamContentType(headers["content-type"]) ? "envelopes" : "message";
  const credits = o.v === 2 ? o.credits : undefined;
  if (credits !== undefined && (typeof credits !== "number" || !Number.isInteger(credits) || credits < 0 || credits > 0xffffffff)) {
    throw new WireError(`request head: "credits" must be a whole number of messages`, "invalid_argument", 400);
  }
  return { v: o.v, path, headers, body, credits };
}

/** True for the content types whose bodies are enveloped (Triple streaming). */
export function isStreamContentType(contentType: string | null | undefined): boolean {
  return /^application\/connect\+/i.test(contentType ?? "");
}

/**
 * The WebTransport stream error code behind a QUIC RESET_STREAM / STOP_SENDING code, when the
 * peer used the WebTransport-over-HTTP/3 mapping (browsers do); otherwise the raw code.
 */
export function webTransportCodeFromQuic(quicCode: bigint): bigint {
  if (quicCode < WT_ERROR_FIRST) return quicCode;
  const shifted = quicCode - WT_ERROR_FIRST;
  return shifted - shifted / 0x1fn;
}

/** Extracts the code from Deno's quinn error text ("stream reset by peer: error 7"). */
export function resetCodeFromError(e: unknown): bigint | undefined {
  const m = /(?:reset|stopped)[^:]*: error (\d+)/i.exec(String((e as Error)?.message ?? e));
  return m ? webTransportCodeFromQuic(BigInt(m[1]!)) : undefined;
}

/**
 * A byte reader over a ReadableStream with a bounded read-ahead: while fewer than `lookahead`
 * bytes are buffered, one read stays in flight, so a stream reset is seen (onError) even while
 * the consumer is blocked elsewhere. With lookahead 0 it reads only on demand.
 */
export class ByteSource {
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #lookahead: number;
  #chunks: Uint8Array[] = [];
  #buffered = 0;
  #inFlight: Promise<void> | undefined;
  #eof = false;
  #failed = false;
  #error: unknown;
  /** Called once, as soon as a read fails (also when nobody is waiting). */
  onError: ((e: unknown) => void) | undefined;

  constructor(reader: ReadableStreamDefaultReader<Uint8Array>, lookahead = 0) {
    this.#reader = reader;
    this.#lookahead = lookahead;
  }

  get buffered(): number {
    return this.#buffered;
  }
  /** The stream ended cleanly (all data read, FIN seen). */
  get eof(): boolean {
    return this.#eof;
  }
  get failed(): boolean {
    return this.#failed;
  }
  /** Bytes read from the stream so far (including buffered ones). */
  totalRead = 0;

  /** Starts the read-ahead. */
  prefetch(): void {
    if (!this.#eof && !this.#failed && this.#buffered < this.#lookahead) void this.#read();
  }

  #read(): Promise<void> {
    this.#inFlight ??= this.#reader.read().then(
      (r) => {
        this.#inFlight = undefined;
        if (r.done) {
          this.#eof = true;
        } else if (r.value.byteLength > 0) {
          this.#chunks.push(r.value);
          this.#buffered += r.value.byteLength;
          this.totalRead += r.value.byteLength;
        }
        this.prefetch();
      },
      (e) => {
        this.#inFlight = undefined;
        this.#failed = true;
        this.#error = e;
        this.onError?.(e);
      },
    );
    return this.#inFlight;
  }

  /** Waits until n bytes are buffered; false on a clean end of stream before that. */
  async need(n: number): Promise<boolean> {
    while (this.#buffered < n) {
      if (this.#failed) throw this.#error;
      if (this.#eof) return false;
      await this.#read();
    }
    return true;
  }

  /** Removes and returns n buffered bytes (n ≤ buffered). */
  take(n: number): Uint8Array {
    const out = new Uint8Array(n);
    let o = 0;
    while (o < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.byteLength, n - o);
      out.set(k === c.byteLength ? c : c.subarray(0, k), o);
      o += k;
      if (k === c.byteLength) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    this.#buffered -= n;
    this.prefetch();
    return out;
  }

  /** Removes and returns everything buffered. */
  takeAll(): Uint8Array {
    return this.take(this.#buffered);
  }

  #peek(i: number): number {
    for (const c of this.#chunks) {
      if (i < c.byteLength) return c[i]!;
      i -= c.byteLength;
    }
    throw new RangeError("peek beyond buffer");
  }

  /** A QUIC variable-length integer; null on a clean end of stream before it. */
  async readVarint(): Promise<number | null> {
    if (!(await this.need(1))) return null;
    const len = 1 << (this.#peek(0) >> 6);
    if (!(await this.need(len))) throw new WireError("stream ended inside a varint", "invalid_argument", 400);
    const b = this.take(len);
    let v = b[0]! & 0x3f;
    for (let i = 1; i < len; i++) v = v * 256 + b[i]!;
    return v;
  }

  /** The length of the next frame if its 5-byte prefix is buffered, else undefined. */
  #bufferedFrameLength(): number | undefined {
    if (this.#buffered < 5) return undefined;
    return ((this.#peek(1) << 24) >>> 0) + (this.#peek(2) << 16) + (this.#peek(3) << 8) + this.#peek(4);
  }

  /**
   * The next 5-byte-prefixed frame, or null on a clean end of stream at a frame boundary.
   * Throws WireError when the frame is longer than maxBytes (before reading its payload) or the
   * stream ends inside it. `raw` keeps the prefix, for forwarding unchanged.
   */
  async readFrame(maxBytes: number, what: string): Promise<(Frame & { raw: Uint8Array }) | null> {
    if (!(await this.need(1))) return null;
    if (!(await this.need(5))) throw new WireError(`stream ended inside a ${what} prefix`, "invalid_argument", 400);
    const len = this.#bufferedFrameLength()!;
    if (len > maxBytes) {
      throw new WireError(`${what} of ${len} bytes exceeds the limit of ${maxBytes} bytes`, "resource_exhausted", what === "request head" ? 431 : 413);
    }
    if (!(await this.need(5 + len))) throw new WireError(`stream ended inside a ${what}`, "invalid_argument", 400);
    const raw = this.take(5 + len);
    return { flags: raw[0]!, payload: raw.subarray(5), raw };
  }

  /** Synchronously takes the next frame when it is completely buffered (for batching writes). */
  takeBufferedFrame(maxBytes: number): Uint8Array | undefined {
    const len = this.#bufferedFrameLength();
    if (len === undefined || len > maxBytes || this.#buffered < 5 + len) return undefined;
    return this.take(5 + len);
  }

  /** Stops reading: cancels the stream (for QUIC: STOP_SENDING when data is still unread). */
  cancel(reason?: unknown): void {
    if (this.#eof || this.#failed) return;
    this.#failed = true;
    this.#error = reason ?? new Error("cancelled");
    this.#reader.cancel(reason).catch(() => {});
  }
}
