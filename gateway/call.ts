// One call through the gateway, as its client sees it: the request frames read from the client's
// stream, the response written back, the client's message credits, and how the call ends
// (finished, cancelled by the client, or failed with an error the client can read). The upstream
// side (upstream-triple.ts, upstream-grpc.ts) drives a Call; the downstream side
// (downstream-webtransport.ts, downstream-websocket.ts) gives it the client's bytes and a way back.

import {
  ByteSource,
  concatBytes,
  creditCount,
  encodeJsonFrame,
  FLAG_COMPRESSED,
  FLAG_CREDIT,
  FLAG_END,
  type RequestHead,
  resetCodeFromError,
  WireError,
} from "./wire.ts";

/** Where a call's response goes: a WebTransport stream, or a call multiplexed on a WebSocket. */
export interface Downstream {
  /**
   * Writes response bytes (whole frames); `messages` is how many response messages they complete,
   * which a credit-counting client gives back as credit. Resolves when the client's side took
   * them (QUIC flow control, the WebSocket's buffer); rejects when the client is gone.
   */
  write(bytes: Uint8Array, messages: number): Promise<void>;
  /** Ends the response side cleanly (FIN). */
  close(): Promise<void>;
}
/** Bytes of the client's request stream read ahead, so a reset is seen while upstream is slow. */
const REQUEST_LOOKAHEAD = 16 * 1024;

const encoder = new TextEncoder();

type Result =
  | { kind: "ok" }
  | { kind: "canceled"; detail: string }
  | { kind: "error"; code: string; detail: string };

export interface CallLimits {
  /** Largest message either way (bytes). */
  maxMessageBytes: number;
}

export class Call {
  readonly started = performance.now();
  /** Aborted as soon as the call starts ending: the upstream side stops on it. */
  readonly upstreamAbort = new AbortController();
  readonly src: ByteSource;
  head: RequestHead | undefined;
  status: number | undefined;
  headSent = false;
  /** Set as soon as the call starts ending (cancel, fail or finish); no new work after that. */
  ending = false;
  done = false;
  draining = false;
  result: Result | undefined;
  reqMessages = 0;
  resMessages = 0;
  resBytes = 0;
  requestEnded = false;
  /** The end-of-stream frame was written to the client: nothing may follow it. */
  endForwarded = false;
  #deadline: ReturnType<typeof setTimeout> | undefined;
  #deadlineAt = Infinity;
  #finished = Promise.withResolvers<void>();
  /** Response messages the client allows now (Infinity: it counts none). */
  #credits = Infinity;
  #creditWaiter: PromiseWithResolvers<void> | undefined;

  constructor(
    readonly label: string,
    readable: ReadableStream<Uint8Array>,
    private readonly downstream: Downstream,
    readonly limits: CallLimits,
    private readonly log: (line: string) => void,
    private readonly onDone: (call: Call) => void,
  ) {
    this.src = new ByteSource(readable.getReader(), REQUEST_LOOKAHEAD);
    this.src.onError = (e) => {
      const code = resetCodeFromError(e);
      this.cancel(code !== undefined ? `client reset the stream (code ${code})` : `client stream failed: ${errText(e)}`);
    };
  }

  get finished(): Promise<void> {
    return this.#finished.promise;
  }

  /** The mapping version of the response heads: the one the client's request head used (1 before it is read). */
  get version(): number {
    return this.head?.v ?? 1;
  }

  /**
   * Ends the call with DeadlineExceeded after `ms`, whether or not the upstream answers: a server
   * that ignores deadlines cannot keep a call (and its upstream stream) open past it.
   */
  setDeadline(ms: number, why: string): void {
    this.#deadlineAt = performance.now() + ms;
    this.#deadline = setTimeout(() => void this.fail("deadline_exceeded", why, 504), ms);
  }

  /**
   * Whether the call's deadline has passed. A server that enforces the deadline itself may answer
   * CANCELLED when it expires (Dubbo Java 3.3.6 sometimes does, racing its own 408 answer): an
   * upstream cancel the client did not ask for, after the deadline, is the deadline.
   */
  get deadlinePassed(): boolean {
    return performance.now() >= this.#deadlineAt;
  }

  /** The client counts credits from now on, starting with `initial` (the head's `credits`). */
  useCredits(initial: number): void {
    this.#credits = initial;
  }

  /** The client allows `n` more response messages (a credit frame). */
  grant(n: number): void {
    this.#credits += n;
    this.#wakeCreditWaiter();
  }

  /**
   * Resolves with the response messages the client allows now, once there is at least one (or
   * the call is ending). The upstream is read only after this: no credit, no upstream read, so
   * HTTP/2 flow control stops the server while the client's consumer is paused.
   */
  async credit(): Promise<number> {
    while (this.#credits <= 0 && !this.ending) {
      this.#creditWaiter ??= Promise.withResolvers<void>();
      await this.#creditWaiter.promise;
    }
    return this.#credits;
  }

  /** `n` response messages were sent. */
  spend(n: number): void {
    this.#credits -= n;
  }

  #wakeCreditWaiter(): void {
    const w = this.#creditWaiter;
    this.#creditWaiter = undefined;
    w?.resolve();
  }

  /** The client went away or asked to stop: abort upstream, answer nothing. */
  cancel(detail: string): void {
    if (this.ending) return;
    this.ending = true;
    this.result ??= { kind: "canceled", detail };
    this.upstreamAbort.abort(new Error(detail));
    this.#wakeCreditWaiter();
    void this.finish();
  }

  /**
   * Writes to the client (`messages`: the response messages these bytes complete); false when the
   * client stopped reading (STOP_SENDING) or left, which cancels the call.
   */
  async write(bytes: Uint8Array, messages = 0): Promise<boolean> {
    if (this.done) return false;
    try {
      await this.downstream.write(bytes, messages);
      return true;
    } catch (e) {
      const code = resetCodeFromError(e);
      this.cancel(code !== undefined ? `client stopped reading (code ${code})` : `cannot write to client: ${errText(e)}`);
      return false;
    }
  }

  /**
   * Ends the call with an error the client can read: a synthetic response head and JSON body
   * before any head was sent, else an end-of-stream frame (stream bodies only).
   */
  async fail(code: string, message: string, status: number): Promise<void> {
    if (this.ending) return;
    this.ending = true;
    this.result ??= { kind: "error", code, detail: message };
    this.upstreamAbort.abort(new Error(message));
    this.#wakeCreditWaiter();
    const body = { code, message: `gateway: ${message}` };
    if (!this.headSent) {
      this.status = status;
      this.headSent = true;
      await this.write(concatBytes([
        encodeJsonFrame(0, { v: this.version, status, headers: { "content-type": "application/json" } }),
        encoder.encode(JSON.stringify(body)),
      ]));
    } else if (!this.endForwarded) {
      await this.write(encodeJsonFrame(FLAG_END, { error: body }));
    }
    await this.finish();
  }

  /** FIN our side, stop reading theirs, log. Idempotent. */
  async finish(): Promise<void> {
    if (this.done) return this.finished;
    this.done = true;
    this.ending = true;
    clearTimeout(this.#deadline);
    this.result ??= { kind: "ok" };
    this.upstreamAbort.abort(new Error("call finished"));
    this.#wakeCreditWaiter();
    try {
      await this.downstream.close();
    } catch {
      // the client reset or stopped the stream, or the session is gone
    }
    this.src.cancel();
    this.onDone(this);
    const r = this.result;
    const ms = (performance.now() - this.started).toFixed(1);
    const what = r.kind === "ok" ? "ok" : r.kind === "canceled" ? `canceled (${r.detail})` : `${r.code} (${r.detail})`;
    this.log(
      `${new Date().toISOString()} call ${this.label} ${this.head?.path ?? "-"} status=${this.status ?? "-"} ${what} ` +
        `${ms}ms req=${this.reqMessages}msg/${this.src.totalRead}B res=${this.resMessages}msg/${this.resBytes}B`,
    );
    this.#finished.resolve();
  }

  /** The next frame from the client that is not a credit frame (those are counted here). */
  async #readFrame(): Promise<Awaited<ReturnType<ByteSource["readFrame"]>>> {
    for (;;) {
      const f = await this.src.readFrame(this.limits.maxMessageBytes, "request message");
      if (f === null || f.flags !== FLAG_CREDIT) return f;
      this.grant(creditCount(f.payload));
    }
  }

  /**
   * The next request envelope for upstream (prefix included), or null at the client's half-close
   * (an end frame `{}` or FIN). An end frame with an error cancels the call.
   */
  async nextRequestFrame(): Promise<Uint8Array | null> {
    if (this.requestEnded || this.ending) return null;
    let f;
    try {
      f = await this.#readFrame();
    } catch (e) {
      if (e instanceof WireError) void this.fail(e.code, e.message, e.status);
      throw e;
    }
    if (f === null) {
      this.requestEnded = true;
      return null;
    }
    if (f.flags & FLAG_END) {
      this.requestEnded = true;
      const err = endFrameError(f.payload);
      if (err !== undefined) {
        this.cancel(`client cancel frame: ${err}`);
        throw new Error("canceled by client");
      }
      this.drainRequest();
      return null;
    }
    if (f.flags & ~FLAG_COMPRESSED) {
      const e = new WireError(`request frame has unknown flags 0x${f.flags.toString(16)}`, "invalid_argument", 400);
      void this.fail(e.code, e.message, e.status);
      throw e;
    }
    this.reqMessages++;
    return f.raw;
  }

  /** Unary: at most one data frame (the bare body), then an end frame or FIN. Empty when the call ended. */
  async readUnaryRequest(): Promise<Uint8Array> {
    let body: Uint8Array | undefined;
    try {
      for (;;) {
        const f = await this.#readFrame();
        if (f === null) break;
        if (f.flags & FLAG_END) {
          const err = endFrameError(f.payload);
          if (err !== undefined) {
            this.cancel(`client cancel frame: ${err}`);
            return new Uint8Array();
          }
          break;
        }
        if (f.flags !== 0) throw new WireError(`unary request frame has flags ${f.flags}; must be 0`, "invalid_argument", 400);
        if (body !== undefined) throw new WireError("a unary request has one message", "invalid_argument", 400);
        body = f.payload;
      }
    } catch (e) {
      if (this.ending) return new Uint8Array();
      if (e instanceof WireError) await this.fail(e.code, e.message, e.status);
      else this.cancel(`client stream failed: ${errText(e)}`);
      return new Uint8Array();
    }
    this.requestEnded = true;
    this.reqMessages = body ? 1 : 0;
    this.drainRequest();
    return body ?? new Uint8Array();
  }

  /**
   * After the half-close (or once upstream stopped reading), keep watching the client's side:
   * a cancel frame or a reset cancels the call; anything else is discarded until FIN.
   */
  drainRequest(): void {
    if (this.draining) return;
    this.draining = true;
    this.requestEnded = true;
    void (async () => {
      try {
        for (;;) {
          if (this.ending) return;
          const f = await this.#readFrame();
          if (f === null) return;
          if (f.flags & FLAG_END) {
            const err = endFrameError(f.payload);
            if (err !== undefined) return this.cancel(`client cancel frame: ${err}`);
          }
        }
      } catch {
        // reset (onError already cancelled) or a malformed tail after the half-close: ignore
      }
    })();
  }
}

/** The error text of an end frame `{"error": {...}}`, or undefined for a plain half-close `{}`. */
function endFrameError(payload: Uint8Array): string | undefined {
  let json: unknown;
  try {
    json = payload.byteLength === 0 ? {} : JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return "unparsable end frame";
  }
  const err = (json as { error?: unknown } | null)?.error;
  if (err === undefined || err === null) return undefined;
  const e = err as { code?: unknown; message?: unknown };
  return `${String(e.code ?? "canceled")}${typeof e.message === "string" && e.message ? `: ${e.message}` : ""}`;
}

export function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
