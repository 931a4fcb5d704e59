// One WebTransport session to the gateway and the streams (calls) on it: opening, the per-session
// stream limit, retirement when a runtime runs out of stream credit, and loss.

import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { untilAborted } from "../call/call-signal.js";

export { untilAborted };

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

/**
 * Most failed attempts to open a stream, with no call on the session ending in between, before
 * `openStream` gives up. With the backoff doubling from 2 ms to its 100 ms cap that is about 1.5 s
 * of waiting for a stream the gateway's limit holds back.
 */
export const MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE = 20;

/**
 * Calls open at once on one session by default: the gateway's own default (`--max-streams 100`).
 * Past the peer's limit, runtimes differ: Chromium refuses the stream, Deno 2.9 closes the whole
 * connection ("maximum number of concurrent outgoing bidirectional streams"), failing every call
 * on it. So the transport never asks for more: a call beyond the limit waits for a slot.
 */
export const DEFAULT_MAX_STREAMS_PER_SESSION = 100;

/**
 * Thrown by {@link Session.openStream} when the session stopped taking calls (retired or closed)
 * before this call's stream was opened: nothing was sent, so the call may go on with a new session.
 */
export class SessionGone extends Error {
  constructor(why: string) {
    super(`the WebTransport session stopped taking calls: ${why}`);
    this.name = "SessionGone";
  }
}

const noop = () => {};

function settleable(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A call waiting for a free stream slot on a session. */
interface SlotWaiter {
  granted(): void;
  gone(error: Error): void;
}

/** One WebTransport session and the calls on it. */
export class Session {
  state: "connecting" | "open" | "closed" = "connecting";
  /** Retired: no new calls (Deno ran out of stream credit); closed once its last call is over. */
  retired = false;
  readonly ready: Promise<void>;
  private readonly wt: WebTransportSessionLike | undefined;
  /** Streams open for calls. */
  private active = 0;
  /** Slots taken by calls whose stream is being opened. `active + opening` ≤ `maxStreams`. */
  private opening = 0;
  /** Calls waiting for a slot, first come first served. */
  private readonly waiters: SlotWaiter[] = [];
  private closeError: TripleError | undefined;

  constructor(
    Ctor: WebTransportConstructor | undefined,
    readonly url: string,
    init: Record<string, unknown>,
    hashText: string | undefined,
    private readonly maxStreams: number = DEFAULT_MAX_STREAMS_PER_SESSION,
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
    // Calls waiting for a slot fail with it, as the calls on the session do.
    for (const w of this.waiters.splice(0)) w.gone(this.closeError);
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
   * A new stream for one call: first a slot under the session's stream limit (waiting, while the
   * call's signal allows, for a call on this session to end), then the stream itself.
   *
   * Should the gateway still refuse it (Chromium rejects at once: "Failed to create bidirectional
   * stream."), this waits until one of this session's calls ends (or a moment passes) and tries
   * again. The waiting is bounded: after {@link MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE} failures with
   * no call ending in between it fails with `Unavailable`, rather than retrying for the session's
   * life. Deno throws RangeError when out of stream credit, and {@link SessionGone} means the
   * session stopped taking calls: the caller goes on with a new session for both.
   */
  async openStream(signal: AbortSignal) {
    await this.takeSlot(signal);
    try {
      const stream = await this.createStream(signal);
      this.active++;
      return stream;
    } finally {
      this.opening--;
      this.grantSlots();
    }
  }

  /** Resolves once this call holds a slot (`opening` counts it); rejects on abort or when the session goes. */
  private takeSlot(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(TripleError.from(signal.reason));
    if (this.state === "closed") return Promise.reject(this.closeError ?? new SessionGone("closed"));
    if (this.retired) return Promise.reject(new SessionGone("retired"));
    if (this.waiters.length === 0 && this.active + this.opening < this.maxStreams) {
      this.opening++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const waiter: SlotWaiter = {
        granted: () => {
          signal.removeEventListener("abort", onAbort);
          resolve();
        },
        gone: (e) => {
          signal.removeEventListener("abort", onAbort);
          reject(e);
        },
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(TripleError.from(signal.reason));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  /** Hands free slots to waiting calls, in order. */
  private grantSlots(): void {
    while (this.waiters.length > 0 && this.active + this.opening < this.maxStreams && !this.retired && this.state !== "closed") {
      this.opening++;
      this.waiters.shift()!.granted();
    }
    if (this.retired && this.active === 0 && this.opening === 0) this.close("retired");
  }

  private async createStream(signal: AbortSignal) {
    let backoffMs = 2;
    let failures = 0;
    let released = this.releases;
    for (;;) {
      const pending = this.wt!.createBidirectionalStream();
      try {
        return await untilAborted(pending, signal);
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
    this.grantSlots();
  }

  /** No new calls on this session; it closes once its last call is over. Waiting calls go elsewhere. */
  retire(): void {
    if (this.retired) return;
    this.retired = true;
    // Calls waiting for a slot go on with a new session: nothing of theirs was sent on this one.
    for (const w of this.waiters.splice(0)) w.gone(new SessionGone("retired"));
    if (this.active === 0 && this.opening === 0) this.close("retired");
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

/** An error's message, or the value as text. */
export function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
