// A transport over WebTransport, speaking the mapping of docs/webtransport.md (v2) to a gateway
// (gateway/) that turns every stream into an ordinary Triple request over HTTP/2. Full duplex in
// browsers: bidi calls stream both ways at once, which fetch cannot do.
//
// One session per transport, opened by the first call, reused by every later one, reopened by
// the next call after it closed or failed. One bidirectional stream per call:
//   request:  [head frame] [body: envelopes, or one frame with a unary body] [end frame {}]
//             and FIN once the response is over (the writable stays open for the cancel frame);
//   response: [head frame] [body bytes as the upstream sent them] FIN.
// Every Triple rule (headers, envelopes, end-stream, errors) stays in the protocol code shared
// with fetch; this file only moves an HTTP-like exchange over a stream.

import { Code } from "../code.js";
import { encodeEnvelope } from "../protocol/envelope.js";
import { TripleError } from "../errors.js";
import { resolveTransportConfig } from "./config.js";
import { concatBytes } from "../protocol/read-body.js";
import type { HttpRequest, HttpResponse, RequestStreaming, Transport, TransportOptions } from "./transport.js";
import {
  DEFAULT_MAX_STREAMS_PER_SESSION,
  message,
  Session,
  SessionGone,
  untilAborted,
  type WebTransportConstructor,
} from "./webtransport-session.js";
import {
  cancelFrame,
  certificateHashBytes,
  halfCloseFrame,
  readResponseHead,
  requestHeadFrame,
  requestPath,
} from "./webtransport-frames.js";

/** One entry of `serverCertificateHashes`. */
export interface WebTransportCertificateHash {
  /** Only `"sha-256"` is defined. */
  readonly algorithm: string;
  /** The certificate's SHA-256: bytes, or text as the gateway prints it (base64, or hex). */
  readonly value: BufferSource | string;
}

export {
  MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE,
  untilAborted,
  type WebTransportConstructor,
  type WebTransportSessionLike,
} from "./webtransport-session.js";

/**
 * Most sessions one call may try while the sessions it was given stop taking calls before its
 * stream opened (Deno retires a session that ran out of stream credit; the gateway may close one).
 * Nothing of the call was sent on those, so moving on is safe; the bound keeps a failing gateway
 * from being retried for ever.
 */
const MAX_SESSIONS_PER_CALL = 8;

/** Options for {@link createWebTransportTransport}. */
export interface WebTransportTransportOptions extends Omit<TransportOptions, "baseUrl"> {
  /** The gateway, e.g. `https://127.0.0.1:4433/` (what it prints as `url`). */
  url: string;
  /**
   * Pins the gateway's certificate instead of trusting it through the browser's CA store: needed
   * for the gateway's `--dev-cert` (ECDSA P-256, valid < 14 days), whose hash it prints as
   * `certSha256`. Values may be given as that base64 text.
   */
  serverCertificateHashes?: readonly WebTransportCertificateHash[];
  /** More options for the WebTransport constructor (e.g. `congestionControl`). */
  webTransportOptions?: Record<string, unknown>;
  /** The WebTransport class to use; defaults to `globalThis.WebTransport`, looked up per session. */
  WebTransport?: WebTransportConstructor;
  /**
   * Calls open at once on the session; more wait (abortably) for one to end. Default 100, the
   * gateway's `--max-streams` default: set it to the gateway's value. Past the gateway's limit
   * Deno drops the whole connection, failing every call on it, so the transport never asks for more.
   */
  maxStreamsPerSession?: number;
}

/** A transport over one WebTransport session (see {@link createWebTransportTransport}). */
export interface WebTransportTransport extends Transport {
  /** The gateway's URL. */
  readonly url: string;
  /** How many sessions this transport has opened so far (1 while one session served every call). */
  readonly sessionsOpened: number;
  /** Whether a session is open now (false before the first call and after a failure). */
  readonly connected: boolean;
  /** Closes the session; calls on it fail with `Unavailable`, the next call opens a new one. */
  close(reason?: string): void;
}

/** How long a cancel frame may take to be written before the stream is reset anyway. */
const CANCEL_FRAME_GRACE_MS = 50;

const noop = () => {};

/**
 * A transport that carries every call over one WebTransport session to a Triple gateway
 * (`npm run gateway`, docs/webtransport.md). Request bodies stream in both directions at once
 * (`requestStreaming` is `"full-duplex"`), with QUIC flow control reaching a call's `isReady`;
 * responses are read from the network only as the caller reads them.
 *
 * ```ts
 * const transport = createWebTransportTransport({
 *   url: "https://127.0.0.1:4433/",
 *   serverCertificateHashes: [{ algorithm: "sha-256", value: "<certSha256 the gateway printed>" }],
 * });
 * ```
 */
export function createWebTransportTransport(options: WebTransportTransportOptions): WebTransportTransport {
  const url = checkUrl(options.url);
  const config = resolveTransportConfig({ ...options, baseUrl: url });
  const hashes = options.serverCertificateHashes?.map((h) => ({
    algorithm: h.algorithm,
    value: certificateHashBytes(h.value),
  }));
  const hashText = options.serverCertificateHashes?.map((h) => hashPreview(h.value)).join(", ");
  const maxStreams = options.maxStreamsPerSession ?? DEFAULT_MAX_STREAMS_PER_SESSION;
  if (!Number.isInteger(maxStreams) || maxStreams < 1) {
    throw new TypeError(`createWebTransportTransport: maxStreamsPerSession must be an integer >= 1, got ${String(maxStreams)}`);
  }
  let current: Session | undefined;
  let opened = 0;

  function openSession(): Session {
    opened++;
    const Ctor =
      options.WebTransport ?? (globalThis as { WebTransport?: WebTransportConstructor }).WebTransport;
    return new Session(
      Ctor,
      url,
      { ...options.webTransportOptions, ...(hashes ? { serverCertificateHashes: hashes } : {}) },
      hashText,
      maxStreams,
    );
  }

  /** The open session, opening one when there is none (or it closed, failed or was retired). */
  async function acquire(signal: AbortSignal): Promise<Session> {
    let s = current;
    if (s === undefined || s.state === "closed" || s.retired) s = current = openSession();
    await untilAborted(s.ready, signal);
    return s;
  }

  const transport: WebTransportTransport = {
    ...config,
    url,
    get sessionsOpened() {
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
      for (let sessions = 1; ; sessions++) {
        const session = await acquire(req.signal);
        let stream;
        try {
          stream = await session.openStream(req.signal);
        } catch (e) {
          if (req.signal.aborted) throw TripleError.from(req.signal.reason);
          if (!(e instanceof RangeError || e instanceof SessionGone)) throw session.lostError(e);
          // Nothing was sent yet: Deno's WebTransport ran out of stream credit (its streams are
          // released only on GC), or the session was retired meanwhile. Go on with a fresh
          // session (the calls waiting on this one do too).
          if (e instanceof RangeError) session.retire();
          if (sessions >= MAX_SESSIONS_PER_CALL) {
            throw new TripleError(
              `the WebTransport gateway at ${url} took no stream for this call on ${sessions} sessions in a row: ${message(e)}`,
              Code.Unavailable,
              { cause: e },
            );
          }
          continue;
        }
        return exchange(session, stream, req, path);
      }
    },
    requestStreaming: "full-duplex",
  };
  return transport;
}

function checkUrl(raw: string): string {
  if (typeof raw !== "string" || raw === "") {
    throw new TypeError("createWebTransportTransport: url is required, e.g. https://127.0.0.1:4433/");
  }
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new TypeError(`createWebTransportTransport: ${JSON.stringify(raw)} is not a URL; expected https://host:port/`);
  }
  if (parsed.protocol !== "https:") {
    throw new TypeError(`createWebTransportTransport: WebTransport URLs are https://, got ${raw}`);
  }
  return raw;
}

function hashPreview(value: BufferSource | string): string {
  if (typeof value === "string") return value.length > 16 ? `${value.slice(0, 12)}…` : value;
  const bytes = value instanceof Uint8Array ? value : ArrayBuffer.isView(value) ? new Uint8Array(value.buffer) : new Uint8Array(value);
  let b = "";
  for (const x of bytes.subarray(0, 9)) b += String.fromCharCode(x);
  return `${btoa(b)}…`;
}

/**
 * What {@link exchange} needs from the connection that carries a call: a WebTransport session, or
 * a WebSocket (websocket.ts), whose calls are the same byte streams.
 */
export interface CallCarrier {
  /** The gateway's URL, for messages. */
  readonly url: string;
  /** Response messages granted in the request head (and again as the caller reads); unset: not counted. */
  readonly credits?: number | undefined;
  /** One call on this connection is over. */
  release(): void;
  /** The `Unavailable` (or more exact) error of a call whose stream failed. */
  lostError(e: unknown): TripleError;
}

/**
 * One call on one stream of the mapping (docs/webtransport.md). Resolves with the response head;
 * the body is read from the stream only as the caller pulls it.
 */
export async function exchange(
  session: CallCarrier,
  stream: { readonly readable: ReadableStream<Uint8Array>; readonly writable: WritableStream<Uint8Array> },
  req: HttpRequest,
  path: string,
): Promise<HttpResponse> {
  const { signal } = req;
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  writer.closed.catch(noop);
  reader.closed.catch(noop);
  let bodyReader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  /** The end frame was written: the request side is complete. */
  let requestEnded = false;
  /** The response was read to its FIN. */
  let responseEnded = false;
  /** The stream is finished with on our side (FIN, reset or cancel sent). */
  let finished = false;

  const finish = () => {
    finished = true;
    signal.removeEventListener("abort", onAbort);
    session.release();
  };

  /** The response is complete: FIN our side if the request is complete too, else reset it (the call is over). */
  const endStream = () => {
    if (finished) return;
    if (requestEnded) {
      writer.close().catch(noop);
    } else {
      bodyReader?.cancel(new Error("the response ended")).catch(noop);
      writer.abort(streamError("the response ended", 0)).catch(noop);
    }
    finish();
  };

  /**
   * The call ends early (abort, deadline, the caller stopped reading, a broken stream): a cancel
   * frame for runtimes whose `abort()` sends nothing (Deno 2.9.6), then RESET_STREAM and
   * STOP_SENDING with the Triple code (1 Canceled, 4 DeadlineExceeded).
   */
  const cancelStream = (reason: unknown) => {
    if (finished) return;
    finish();
    const error = TripleError.from(reason, Code.Canceled);
    const code = error.code === Code.DeadlineExceeded ? Code.DeadlineExceeded : Code.Canceled;
    bodyReader?.cancel(error).catch(noop);
    const wtError = streamError(error.rawMessage, code);
    let stopped = false;
    const stop = () => {
      if (stopped) return;
      stopped = true;
      writer.abort(wtError).catch(noop);
      reader.cancel(wtError).catch(noop);
    };
    writer.write(cancelFrame(code, error.rawMessage)).then(stop, stop);
    setTimeout(stop, CANCEL_FRAME_GRACE_MS);
  };

  const onAbort = () => cancelStream(signal.reason);
  signal.addEventListener("abort", onAbort, { once: true });

  /** What a failed read means for the call. */
  const readError = (e: unknown): TripleError => {
    if (signal.aborted) return TripleError.from(signal.reason);
    return session.lostError(e);
  };
  const read = async (): Promise<ReadableStreamReadResult<Uint8Array>> => {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch (e) {
      throw readError(e);
    }
    // A cancel resolves a pending read as "done": that is the abort, not the end of the response.
    if (signal.aborted) throw TripleError.from(signal.reason);
    return r;
  };

  // The request side.
  const head = requestHeadFrame(path, req.headers, { body: req.bodyKind, credits: session.credits });
  if (req.body instanceof Uint8Array) {
    // A bare message goes in one frame; a server stream's envelope(s) go as they are.
    const body = req.bodyKind === "envelopes" ? req.body : encodeEnvelope(0, req.body);
    writer.write(concatBytes([head, body, halfCloseFrame()])).catch(noop);
    requestEnded = true;
  } else {
    writer.write(head).catch(noop);
    void pump(req.body);
  }
  // An abort that landed after the stream opened but before the listener above existed fired no
  // event: send its cancel now, after the head, so the gateway learns of it like any other.
  if (signal.aborted) cancelStream(signal.reason);

  /**
   * Copies the request body (the write queue's stream, high-water mark 0) into the stream, taking
   * a chunk only while the writable wants more (`desiredSize` > 0): QUIC flow control holds
   * `ready`, the queue fills, and the call's `isReady` turns false.
   */
  async function pump(body: ReadableStream<Uint8Array>): Promise<void> {
    const r = body.getReader();
    bodyReader = r;
    try {
      for (;;) {
        await writer.ready;
        if (finished) return;
        const next = await r.read();
        if (finished) return;
        if (next.done) break;
        writer.write(next.value).catch(noop);
      }
      writer.write(halfCloseFrame()).catch(noop);
      requestEnded = true;
      if (responseEnded) endStream();
    } catch (e) {
      // The stream stopped taking data (the session is gone, or the call ended), or the body
      // failed (the call was cancelled): the response side reports what happened.
      r.cancel(e).catch(noop);
    }
  }

  // The response head.
  let start: Awaited<ReturnType<typeof readResponseHead>>;
  try {
    start = await readResponseHead(read, session.url);
  } catch (e) {
    const error = e instanceof TripleError ? e : readError(e);
    cancelStream(error);
    throw error;
  }
  let rest = start.rest;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (rest !== undefined) {
          controller.enqueue(rest);
          rest = undefined;
          return;
        }
        let r: ReadableStreamReadResult<Uint8Array>;
        try {
          r = await read();
        } catch (e) {
          const error = e instanceof TripleError ? e : readError(e);
          cancelStream(error);
          controller.error(error);
          return;
        }
        if (r.done) {
          responseEnded = true;
          endStream();
          controller.close();
          return;
        }
        controller.enqueue(r.value);
      },
      cancel(reason) {
        // The caller stopped reading before the end: the call is over, tell the gateway.
        if (!responseEnded) cancelStream(reason ?? new TripleError("the response body was cancelled", Code.Canceled));
      },
    },
    { highWaterMark: 0 },
  );
  return { status: start.head.status, headers: start.head.headers, body };
}

/**
 * A WebTransportError carrying a stream error code, for `abort()`/`cancel()`. Chromium implements
 * the older constructor `({message, streamErrorCode})`, the spec has `(message, {streamErrorCode})`.
 */
function streamError(text: string, code: number): Error {
  const Ctor = (globalThis as { WebTransportError?: new (...args: unknown[]) => Error }).WebTransportError;
  if (typeof Ctor === "function") {
    for (const args of [[text, { streamErrorCode: code }], [{ message: text, streamErrorCode: code }]]) {
      try {
        const e = new Ctor(...args);
        if ((e as { streamErrorCode?: unknown }).streamErrorCode === code) return e;
      } catch {
        // try the other form
      }
    }
  }
  return new Error(text);
}
