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

/** The parts of a WebTransport session this transport uses (the DOM class, Deno's, a polyfill). */
export interface WebTransportSessionLike {
  readonly ready: Promise<unknown>;
  readonly closed: Promise<unknown>;
  createBidirectionalStream(): Promise<{
    readonly readable: ReadableStream<Uint8Array>;
    readonly writable: WritableStream<Uint8Array>;
  }>;
  close(info?: { closeCode?: number; reason?: string }): void;
}

/** A WebTransport constructor, such as `globalThis.WebTransport`. */
export type WebTransportConstructor = new (
  url: string,
  options?: { serverCertificateHashes?: { algorithm: string; value: BufferSource }[] } & Record<string, unknown>,
) => WebTransportSessionLike;

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

function settleable(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

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
  let current: Session | undefined;
  let opened = 0;

  function openSession(): Session {
    opened++;
    const Ctor =
      options.WebTransport ?? (globalThis as { WebTransport?: WebTransportConstructor }).WebTransport;
    return new Session(Ctor, url, { ...options.webTransportOptions, ...(hashes ? { serverCertificateHashes: hashes } : {}) }, hashText);
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
      for (let attempt = 0; ; attempt++) {
        const session = await acquire(req.signal);
        let stream;
        try {
          stream = await session.openStream(req.signal);
        } catch (e) {
          if (req.signal.aborted) throw TripleError.from(req.signal.reason);
          if (attempt === 0 && (e instanceof RangeError || session.state === "closed")) {
            // Nothing was sent yet: Deno's WebTransport ran out of stream credit (its streams are
            // released only on GC), or the session ended meanwhile. Go on with a fresh session.
            session.retire();
            continue;
          }
          throw session.lostError(e);
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
 * Most failed attempts to open a stream, with no call on the session ending in between, before
 * `openStream` gives up. With the backoff doubling from 2 ms to its 100 ms cap that is about 1.5 s
 * of waiting for a stream the gateway's limit holds back.
 */
export const MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE = 20;

/** One WebTransport session and the calls on it. */
class Session {
  state: "connecting" | "open" | "closed" = "connecting";
  /** Retired: no new calls (Deno ran out of stream credit); closed once its last call is over. */
  retired = false;
  readonly ready: Promise<void>;
  private readonly wt: WebTransportSessionLike | undefined;
  private active = 0;
  private closeError: TripleError | undefined;

  constructor(
    Ctor: WebTransportConstructor | undefined,
    readonly url: string,
    init: Record<string, unknown>,
    hashText: string | undefined,
  ) {
    if (typeof Ctor !== "function") {
      this.state = "closed";
      this.ready = Promise.reject(
        new TripleError(
          "this runtime has no WebTransport: use Chromium, Edge, Firefox, Safari 26.4 or later, or Deno with --unstable-net " +
            "(Node, Bun, WebKitGTK, older Safari and Cloudflare Workers have none: use createWebSocketTransport " +
            "from triple-es/websocket through the gateway, or createFetchTransport)",
          Code.Unimplemented,
        ),
      );
      this.ready.catch(noop);
      return;
    }
    try {
      this.wt = new Ctor(url, init);
    } catch (e) {
      this.state = "closed";
      this.ready = Promise.reject(new TripleError(`cannot open a WebTransport session to ${url}: ${message(e)}`, Code.Unavailable, { cause: e }));
      this.ready.catch(noop);
      return;
    }
    this.ready = this.wt.ready.then(
      () => {
        if (this.state === "connecting") this.state = "open";
      },
      (e: unknown) => {
        this.state = "closed";
        throw handshakeError(url, e, hashText);
      },
    );
    this.ready.catch(noop);
    this.wt.closed.then(
      (info) => this.lost(new TripleError(`the WebTransport gateway at ${url} closed the session${closeInfo(info)}`, Code.Unavailable)),
      (e: unknown) => this.lost(e),
    );
  }

  private lost(e: unknown): void {
    this.state = "closed";
    this.closeError ??=
      e instanceof TripleError ? e : new TripleError(`the WebTransport session to ${this.url} was lost: ${message(e)}`, Code.Unavailable, { cause: e });
  }

  /** The `Unavailable` error of a call whose stream failed because (as far as can be told) the session did. */
  lostError(e: unknown): TripleError {
    if (e instanceof TripleError) return e;
    const source = (e as { source?: unknown } | null)?.source;
    const streamCode = (e as { streamErrorCode?: unknown } | null)?.streamErrorCode;
    if (source === "stream" && this.state !== "closed") {
      return new TripleError(
        `the WebTransport gateway at ${this.url} reset the call's stream${typeof streamCode === "number" ? ` (code ${streamCode})` : ""}: ${message(e)}`,
        Code.Unavailable,
        { cause: e },
      );
    }
    // A failing stream on a session that looks alive: the session is gone (Chromium says
    // "Connection lost." on every stream before `closed` settles); the next call reconnects.
    this.lost(e);
    return this.closeError!;
  }

  /**
   * A new stream for one call. At the gateway's stream limit (`--max-streams`) Chromium rejects at
   * once ("Failed to create bidirectional stream."): then this waits until one of this session's
   * calls ends (or a moment passes) and tries again, while the call's signal allows. The waiting
   * is bounded: after {@link MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE} failures with no call ending in
   * between it fails with `Unavailable`, rather than retrying for the session's life.
   * Deno throws RangeError there instead, which the caller handles.
   */
  async openStream(signal: AbortSignal) {
    let backoffMs = 2;
    let failures = 0;
    let released = this.releases;
    for (;;) {
      const pending = this.wt!.createBidirectionalStream();
      try {
        const stream = await untilAborted(pending, signal);
        this.active++;
        return stream;
      } catch (e) {
        if (signal.aborted) {
          // The stream may still come: drop it at once.
          pending.then((s) => {
            s.writable.abort().catch(noop);
            s.readable.cancel().catch(noop);
          }, noop);
          throw e;
        }
        if (e instanceof RangeError) throw e;
        // A closing session rejects the same way: let its `closed` settle before deciding.
        await new Promise((r) => setTimeout(r, 0));
        if (this.state === "closed") throw e;
        if (this.releases !== released) {
          released = this.releases;
          failures = 0;
        }
        if (++failures >= MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE) {
          throw new TripleError(
            `the WebTransport gateway at ${this.url} refused a new stream ${failures} times while no call ` +
              `on the session ended (its stream limit, or a session that no longer takes streams): ${message(e)}`,
            Code.Unavailable,
            { cause: e },
          );
        }
        await untilAborted(Promise.race([this.released.promise, new Promise((r) => setTimeout(r, backoffMs))]), signal);
        backoffMs = Math.min(backoffMs * 2, 100);
      }
    }
  }

  /** Settles when the next call on this session ends (its stream credit may come back). */
  private released = settleable();
  /** How many calls on this session have ended: tells a waiting `openStream` that one did. */
  private releases = 0;

  /** One call on this session is over. */
  release(): void {
    this.active--;
    this.releases++;
    const released = this.released;
    this.released = settleable();
    // The gateway returns the credit once it has closed the stream too: give it a moment.
    setTimeout(released.resolve, 1);
    if (this.retired && this.active === 0) this.close("retired");
  }

  retire(): void {
    if (this.retired) return;
    this.retired = true;
    if (this.active === 0) this.close("retired");
  }

  close(reason: string): void {
    if (this.state === "closed" && this.closeError !== undefined) return;
    this.lost(new TripleError(`the WebTransport session to ${this.url} was closed: ${reason}`, Code.Unavailable));
    try {
      this.wt?.close({ closeCode: 0, reason });
    } catch {
      // already closed
    }
  }
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

function handshakeError(url: string, e: unknown, hashText: string | undefined): TripleError {
  const certificate =
    hashText !== undefined
      ? `or its certificate does not match serverCertificateHashes (${hashText}): pass the certSha256 the gateway printed ` +
        `when it started (a --dev-cert certificate is new on every start)`
      : "or the browser does not trust its certificate: for the gateway's --dev-cert pass serverCertificateHashes with " +
        "the certSha256 it printed";
  return new TripleError(
    `cannot open a WebTransport session to ${url}: ${message(e)} Either no gateway is listening there ` +
      `(start one: npm run gateway -- --upstream https://… --dev-cert), ${certificate}.`,
    Code.Unavailable,
    { cause: e },
  );
}

function closeInfo(info: unknown): string {
  const i = info as { closeCode?: unknown; reason?: unknown } | undefined;
  if (i === undefined || i === null) return "";
  const parts: string[] = [];
  if (typeof i.closeCode === "number") parts.push(`code ${i.closeCode}`);
  if (typeof i.reason === "string" && i.reason !== "") parts.push(i.reason);
  return parts.length > 0 ? ` (${parts.join(", ")})` : "";
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** `promise`, or a rejection with the signal's reason as a TripleError once the signal fires first. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(TripleError.from(signal.reason));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(TripleError.from(signal.reason));
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener("abort", onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
