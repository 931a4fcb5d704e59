// The client's half of the WebTransport ↔ Triple mapping, version 2 (docs/webtransport.md): the
// head frames, the half-close and cancel frames, and the request path. Pure functions over bytes;
// the only I/O is the read callback the response-head reader is given.

import { Code, codeToString } from "../code.js";
import { encodeEnvelope } from "../protocol/envelope.js";
import { TripleError } from "../errors.js";
import { concatBytes } from "../protocol/read-body.js";

/**
 * The mapping version this client speaks: the `v` of both heads. Version 2 says in the head
 * whether the body is one message or envelopes, and may grant response-message credits (the
 * WebSocket transport does: a WebSocket has no flow control of its own).
 */
export const MAPPING_VERSION = 2;

/** Largest response head accepted (the gateway's own request-head limit is 16 KiB by default). */
export const MAX_RESPONSE_HEAD_BYTES = 64 * 1024;

/** The mapping's end frame flag (the half-close and the cancel frame): 0x02, as Triple's end-of-stream. */
const FLAG_END_FRAME = 0b10;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function jsonFrame(flags: number, value: unknown): Uint8Array {
  return encodeEnvelope(flags, encoder.encode(JSON.stringify(value)));
}

/** What a v2 request head adds to path and headers. */
export interface RequestHeadExtras {
  /** "message": a unary call's one bare body; "envelopes": a stream. */
  readonly body: "message" | "envelopes";
  /** Response messages the gateway may send before it hears of more (credit); unset: not counted. */
  readonly credits?: number | undefined;
}

/** The request head: `{"v":2,"path":"/pkg.Service/Method","headers":{…},"body":…}` in a flags-0 frame. */
export function requestHeadFrame(path: string, headers: Headers, extras: RequestHeadExtras): Uint8Array {
  const record: Record<string, string> = {};
  // Headers joins repeated values with ", ", which is what the mapping asks for.
  headers.forEach((value, name) => {
    record[name] = value;
  });
  return jsonFrame(0, {
    v: MAPPING_VERSION,
    path,
    headers: record,
    body: extras.body,
    ...(extras.credits !== undefined ? { credits: extras.credits } : {}),
  });
}

/** The half-close: an end frame with `{}`. Made fresh each time, since a write may take the buffer. */
export function halfCloseFrame(): Uint8Array {
  return jsonFrame(FLAG_END_FRAME, {});
}

/** The cancel frame: an end frame carrying an error; the gateway aborts the upstream request. */
export function cancelFrame(code: Code, message: string): Uint8Array {
  return jsonFrame(FLAG_END_FRAME, { error: { code: codeToString(code), message } });
}

/**
 * The head's `path` for a request URL: what follows the transport's base URL, i.e.
 * `/package.Service/Method` (the gateway appends it to its upstream URL).
 */
export function requestPath(baseUrl: string, url: string): string {
  const base = baseUrl.endsWith("/") ? baseUrl.slice(0, -1) : baseUrl;
  if (url.startsWith(`${base}/`)) return url.slice(base.length);
  try {
    return new URL(url).pathname;
  } catch {
    return url;
  }
}

/** The response head as the protocol code wants it. */
export interface ResponseHead {
  readonly status: number;
  readonly headers: Headers;
}

/**
 * Reads the response head frame with `read` (one network read per call), and returns it with the
 * bytes read past it (the start of the body), if any. Fails with `Unavailable` when the stream
 * ends before a complete head (the gateway went away), `Internal` when the head is malformed.
 */
export async function readResponseHead(
  read: () => Promise<ReadableStreamReadResult<Uint8Array>>,
  url: string,
): Promise<{ head: ResponseHead; rest: Uint8Array | undefined }> {
  let buffer: Uint8Array = new Uint8Array(0);
  let needed = 5;
  let length = -1;
  for (;;) {
    while (buffer.byteLength < needed) {
      const r = await read();
      if (r.done) {
        throw new TripleError(
          `the WebTransport gateway at ${url} ended the stream before a response head (${buffer.byteLength} bytes)`,
          Code.Unavailable,
        );
      }
      buffer = buffer.byteLength === 0 ? r.value : concatBytes([buffer, r.value]);
    }
    if (length >= 0) break;
    if (buffer[0] !== 0) {
      throw new TripleError(
        `the WebTransport gateway at ${url} sent a response head frame with flags 0x${buffer[0]!.toString(16)}; ` +
          `this client speaks mapping v${MAPPING_VERSION} (docs/webtransport.md)`,
        Code.Internal,
      );
    }
    length = new DataView(buffer.buffer, buffer.byteOffset, 5).getUint32(1, false);
    if (length > MAX_RESPONSE_HEAD_BYTES) {
      throw new TripleError(
        `the WebTransport gateway at ${url} sent a response head of ${length} bytes (limit ${MAX_RESPONSE_HEAD_BYTES})`,
        Code.Internal,
      );
    }
    needed = 5 + length;
  }
  const head = parseResponseHead(buffer.subarray(5, 5 + length), url);
  const rest = buffer.byteLength > 5 + length ? buffer.subarray(5 + length) : undefined;
  return { head, rest };
}

function parseResponseHead(payload: Uint8Array, url: string): ResponseHead {
  const bad = (why: string) =>
    new TripleError(`the WebTransport gateway at ${url} sent an invalid response head: ${why}`, Code.Internal);
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(payload));
  } catch {
    throw bad("not JSON");
  }
  if (typeof json !== "object" || json === null) throw bad("not a JSON object");
  const o = json as { v?: unknown; status?: unknown; headers?: unknown };
  if (o.v !== MAPPING_VERSION) {
    throw new TripleError(
      `the WebTransport gateway at ${url} speaks mapping version ${JSON.stringify(o.v)}; this client speaks v${MAPPING_VERSION}`,
      Code.Unimplemented,
    );
  }
  if (typeof o.status !== "number" || !Number.isInteger(o.status)) throw bad(`"status" is not an integer`);
  const headers = new Headers();
  if (typeof o.headers === "object" && o.headers !== null) {
    for (const [name, value] of Object.entries(o.headers)) {
      if (typeof value !== "string") throw bad(`header ${JSON.stringify(name)} is not a string`);
      try {
        headers.append(name, value);
      } catch {
        throw bad(`header ${JSON.stringify(name)} is not a valid HTTP header`);
      }
    }
  }
  return { status: o.status, headers };
}

/**
 * A certificate hash for `serverCertificateHashes` from what the gateway prints (base64, or hex
 * with or without colons), or from bytes as they are.
 */
export function certificateHashBytes(value: BufferSource | string): BufferSource {
  if (typeof value !== "string") return value;
  const text = value.trim();
  const hex = text.replace(/:/g, "");
  if (/^[0-9a-fA-F]{64}$/.test(hex)) {
    const out = new Uint8Array(32);
    for (let i = 0; i < 32; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
    return out;
  }
  let binary: string;
  try {
    binary = atob(text);
  } catch {
    throw new TypeError(`serverCertificateHashes: ${JSON.stringify(value)} is neither base64 nor hex`);
  }
  if (binary.length !== 32) {
    throw new TypeError(`serverCertificateHashes: a SHA-256 hash has 32 bytes, ${JSON.stringify(value)} has ${binary.length}`);
  }
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
