// The WebTransport → Triple HTTP/2 gateway (mapping v1, docs/webtransport.md).
//
// Deno 2.9.6 workaround (denoland/deno#36822): the WebTransport wrapper's send streams never send
// FIN and its streams are released only on GC. Deno.upgradeWebTransport is used for the handshake
// only; calls are served on the raw QUIC streams of the connection, whose close() sends FIN.

import {
  ByteSource,
  concatBytes,
  encodeFrame,
  encodeJsonFrame,
  FLAG_COMPRESSED,
  FLAG_END,
  isStreamContentType,
  MAPPING_VERSION,
  parseRequestHead,
  type RequestHead,
  resetCodeFromError,
  WireError,
  WT_BIDI_STREAM_TYPE,
} from "./wire.ts";

export interface GatewayOptions {
  /** Upstream Triple server base URL over HTTP/2 + TLS, e.g. https://127.0.0.1:8443 */
  upstream: string;
  /** Extra PEM CA certificates to trust for the upstream. */
  upstreamCaCerts?: string[];
  hostname?: string;
  port?: number;
  /** PEM certificate chain and key for the QUIC listener. */
  cert: string;
  key: string;
  /** Concurrent call streams a session may have open (QUIC stream credit). Default 100. */
  maxStreamsPerSession?: number;
  /** Concurrent sessions; more are refused. Default 100. */
  maxSessions?: number;
  /** Largest request head (JSON bytes). Default 16 KiB. */
  maxHeadBytes?: number;
  /** Largest message, either direction (envelope payload, or whole unary body). Default 4 MiB. */
  maxMessageBytes?: number;
  /** QUIC idle timeout, ms (the smaller of both peers' values applies). Default 10 000. */
  idleTimeoutMs?: number;
  /** One line per call and per session; default console.error. */
  log?: (line: string) => void;
}

export interface Gateway {
  readonly hostname: string;
  readonly port: number;
  readonly url: string;
  /** Ends every call with an Unavailable error, closes every session, stops listening. */
  close(reason?: string): Promise<void>;
}

const DEFAULTS = {
  maxStreamsPerSession: 100,
  maxSessions: 100,
  maxHeadBytes: 16 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  idleTimeoutMs: 10_000,
};

/** Bytes of the client's request stream read ahead, so a reset is seen while upstream is slow. */
const REQUEST_LOOKAHEAD = 16 * 1024;

/** Request headers that belong to one hop, or that fetch owns. */
const HOP_HEADERS = new Set([
  "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te",
  "trailer", "content-length", "accept-encoding", "expect",
]);
/** Response headers not copied into the response head. */
const HOP_RESPONSE_HEADERS = new Set([
  "connection", "keep-alive", "transfer-encoding", "content-length", "date", "alt-svc",
]);

const encoder = new TextEncoder();

type Result =
  | { kind: "ok" }
  | { kind: "canceled"; detail: string }
  | { kind: "error"; code: string; detail: string };

export function startGateway(options: GatewayOptions): Gateway {
  const o = { ...DEFAULTS, ...stripUndefined(options) };
  const log = o.log ?? ((line: string) => console.error(line));
  const upstreamBase = o.upstream.replace(/\/+$/, "");
  if (!/^https:\/\//.test(upstreamBase)) {
    throw new Error(`--upstream must be an https:// URL (Deno's fetch speaks HTTP/2 only over TLS): ${o.upstream}`);
  }
  const client = Deno.createHttpClient({
    caCerts: o.upstreamCaCerts ?? [],
    http1: false,
    http2: true,
  });

  const endpoint = new Deno.QuicEndpoint({ hostname: o.hostname ?? "127.0.0.1", port: o.port ?? 4433 });
  const listener = endpoint.listen({
    cert: o.cert,
    key: o.key,
    alpnProtocols: ["h3"],
    // +1: the session's CONNECT request is a client bidirectional stream too.
    maxConcurrentBidirectionalStreams: o.maxStreamsPerSession + 1,
    maxIdleTimeout: o.idleTimeoutMs,
    keepAliveInterval: Math.max(500, Math.floor(o.idleTimeoutMs / 3)),
  });
  const addr = endpoint.addr;

  let closing = false;
  let sessionSeq = 0;
  const sessions = new Set<Session>();

  class Session {
    readonly id = ++sessionSeq;
    readonly calls = new Set<Call>();
    // Held so the wrapper's CONNECT and settings streams are not collected (that would end the session).
    wt: unknown;
    constructor(readonly conn: Deno.QuicConn, readonly peer: string) {}
  }

  class Call {
    readonly started = performance.now();
    readonly upstreamAbort = new AbortController();
    readonly writer: WritableStreamDefaultWriter<Uint8Array>;
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
    /** The upstream's end-of-stream frame was forwarded: nothing may follow it. */
    endForwarded = false;
    #finished = Promise.withResolvers<void>();

    constructor(readonly session: Session, readonly stream: Deno.QuicBidirectionalStream, readonly label: string) {
      this.writer = stream.writable.getWriter();
      this.writer.closed.catch(() => {});
      this.src = new ByteSource(stream.readable.getReader(), REQUEST_LOOKAHEAD);
      this.src.onError = (e) => {
        const code = resetCodeFromError(e);
        this.cancel(code !== undefined ? `client reset the stream (code ${code})` : `client stream failed: ${errText(e)}`);
      };
    }

    get finished(): Promise<void> {
      return this.#finished.promise;
    }

    /** The client went away or asked to stop: abort upstream, answer nothing. */
    cancel(detail: string): void {
      if (this.ending) return;
      this.ending = true;
      this.result ??= { kind: "canceled", detail };
      this.upstreamAbort.abort(new Error(detail));
      void this.finish();
    }

    /** Writes to the client; a failure means the client stopped reading (STOP_SENDING) or left. */
    async write(bytes: Uint8Array): Promise<boolean> {
      if (this.done) return false;
      try {
        await this.writer.write(bytes);
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
      const body = { code, message: `gateway: ${message}` };
      if (!this.headSent) {
        this.status = status;
        this.headSent = true;
        await this.write(concatBytes([
          encodeJsonFrame(0, { v: MAPPING_VERSION, status, headers: { "content-type": "application/json" } }),
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
      this.result ??= { kind: "ok" };
      try {
        await this.writer.close();
      } catch {
        // the client reset or stopped the stream, or the session is gone
      }
      this.src.cancel();
      this.session.calls.delete(this);
      const r = this.result;
      const ms = (performance.now() - this.started).toFixed(1);
      const what = r.kind === "ok" ? "ok" : r.kind === "canceled" ? `canceled (${r.detail})` : `${r.code} (${r.detail})`;
      log(
        `${new Date().toISOString()} call ${this.label} ${this.head?.path ?? "-"} status=${this.status ?? "-"} ${what} ` +
          `${ms}ms req=${this.reqMessages}msg/${this.src.totalRead}B res=${this.resMessages}msg/${this.resBytes}B`,
      );
      this.#finished.resolve();
    }
  }

  async function serveCall(call: Call): Promise<void> {
    const { src } = call;
    // WebTransport stream header: varint 0x41, varint session id.
    const type = await src.readVarint();
    if (type !== WT_BIDI_STREAM_TYPE) {
      call.result = { kind: "error", code: "invalid_argument", detail: `not a WebTransport bidirectional stream (type ${type})` };
      return call.finish();
    }
    await src.readVarint();

    const headFrame = await src.readFrame(o.maxHeadBytes, "request head");
    if (headFrame === null) return call.cancel("client closed the stream before the request head");
    if (headFrame.flags !== 0) throw new WireError(`request head frame has flags ${headFrame.flags}; must be 0`, "invalid_argument", 400);
    const head = (call.head = parseRequestHead(headFrame.payload));

    const headers = new Headers();
    for (const [k, v] of Object.entries(head.headers)) if (!HOP_HEADERS.has(k)) headers.set(k, v);
    // Deno's fetch decompresses gzip/br response bodies itself but keeps Content-Encoding, which
    // would corrupt a pass-through body: ask the upstream for identity (streams compress per
    // message with Connect-Content-Encoding instead, which passes through untouched).
    headers.set("accept-encoding", "identity");
    const streaming = isStreamContentType(head.headers["content-type"]);

    let body: Uint8Array | ReadableStream<Uint8Array>;
    if (streaming) {
      body = new ReadableStream<Uint8Array>({
        pull: async (controller) => {
          const f = await nextRequestFrame(call);
          if (f === null) controller.close();
          else controller.enqueue(f);
        },
        cancel: () => drainRequest(call),
      }, { highWaterMark: 0 });
    } else {
      body = await readUnaryRequest(call);
    }
    if (call.ending) return;

    let res: Response;
    try {
      res = await fetch(upstreamBase + head.path, {
        method: "POST",
        headers,
        body: body as BodyInit,
        client,
        signal: call.upstreamAbort.signal,
      } as RequestInit & { client: Deno.HttpClient });
    } catch (e) {
      if (call.ending) return;
      if (e instanceof WireError) return call.fail(e.code, e.message, e.status);
      return call.fail("unavailable", `upstream ${upstreamBase} unreachable: ${errText(e)}`, 503);
    }
    call.status = res.status;
    const resHeaders: Record<string, string> = {};
    res.headers.forEach((v, k) => {
      if (!HOP_RESPONSE_HEADERS.has(k)) resHeaders[k] = v;
    });
    const responseHead = encodeJsonFrame(0, { v: MAPPING_VERSION, status: res.status, headers: resHeaders });

    if (res.status === 200 && isStreamContentType(res.headers.get("content-type")) && res.body) {
      call.headSent = true;
      if (!(await call.write(responseHead))) return;
      await copyEnvelopes(call, res.body);
    } else {
      // Bare body (unary answers, HTTP errors): bounded, sent in one piece after it is complete,
      // so an upstream failure midway can still become a clean error.
      let bytes: Uint8Array;
      try {
        bytes = await readAll(res.body, o.maxMessageBytes);
      } catch (e) {
        if (call.ending) return;
        if (e instanceof WireError) return call.fail(e.code, `upstream response body: ${e.message}`, 502);
        return call.fail("unavailable", `upstream response failed: ${errText(e)}`, 503);
      }
      call.headSent = true;
      call.resMessages = bytes.byteLength > 0 ? 1 : 0;
      call.resBytes = bytes.byteLength;
      if (!(await call.write(concatBytes([responseHead, bytes])))) return;
    }
    if (call.ending) return; // whoever ended it (cancel, fail) finishes it
    if (!call.requestEnded) drainRequest(call);
    await call.finish();
  }

  /**
   * The next request envelope for upstream, or null at the client's half-close (an end frame
   * `{}` or FIN). An end frame with an error cancels the call.
   */
  async function nextRequestFrame(call: Call): Promise<Uint8Array | null> {
    if (call.requestEnded || call.ending) return null;
    let f;
    try {
      f = await call.src.readFrame(o.maxMessageBytes, "request message");
    } catch (e) {
      if (e instanceof WireError) {
        void call.fail(e.code, e.message, e.status);
      }
      throw e;
    }
    if (f === null) {
      call.requestEnded = true;
      return null;
    }
    if (f.flags & FLAG_END) {
      call.requestEnded = true;
      const err = endFrameError(f.payload);
      if (err !== undefined) {
        call.cancel(`client cancel frame: ${err}`);
        throw new Error("canceled by client");
      }
      drainRequest(call);
      return null;
    }
    if (f.flags & ~FLAG_COMPRESSED) {
      const e = new WireError(`request frame has unknown flags 0x${f.flags.toString(16)}`, "invalid_argument", 400);
      void call.fail(e.code, e.message, e.status);
      throw e;
    }
    call.reqMessages++;
    return f.raw;
  }

  /** Unary: at most one data frame (the bare body), then an end frame or FIN. */
  async function readUnaryRequest(call: Call): Promise<Uint8Array> {
    let body: Uint8Array | undefined;
    try {
      for (;;) {
        const f = await call.src.readFrame(o.maxMessageBytes, "request message");
        if (f === null) break;
        if (f.flags & FLAG_END) {
          const err = endFrameError(f.payload);
          if (err !== undefined) {
            call.cancel(`client cancel frame: ${err}`);
            return new Uint8Array();
          }
          break;
        }
        if (f.flags !== 0) throw new WireError(`unary request frame has flags ${f.flags}; must be 0`, "invalid_argument", 400);
        if (body !== undefined) throw new WireError("a unary request has one message", "invalid_argument", 400);
        body = f.payload;
      }
    } catch (e) {
      if (call.ending) return new Uint8Array();
      if (e instanceof WireError) await call.fail(e.code, e.message, e.status);
      else call.cancel(`client stream failed: ${errText(e)}`);
      return new Uint8Array();
    }
    call.requestEnded = true;
    call.reqMessages = body ? 1 : 0;
    drainRequest(call);
    return body ?? new Uint8Array();
  }

  /**
   * After the half-close (or once upstream stopped reading), keep watching the client's side:
   * a cancel frame or a reset cancels the call; anything else is discarded until FIN.
   */
  function drainRequest(call: Call): void {
    if (call.draining) return;
    call.draining = true;
    call.requestEnded = true;
    void (async () => {
      try {
        for (;;) {
          if (call.ending) return;
          const f = await call.src.readFrame(o.maxMessageBytes, "request message");
          if (f === null) return;
          if (f.flags & FLAG_END) {
            const err = endFrameError(f.payload);
            if (err !== undefined) return call.cancel(`client cancel frame: ${err}`);
          }
        }
      } catch {
        // reset (onError already cancelled) or a malformed tail after the half-close: ignore
      }
    })();
  }

  /** Upstream envelopes to the client, one complete envelope at a time, as the client accepts. */
  async function copyEnvelopes(call: Call, body: ReadableStream<Uint8Array>): Promise<void> {
    const up = new ByteSource(body.getReader(), 0);
    for (;;) {
      let first;
      try {
        first = await up.readFrame(o.maxMessageBytes, "response message");
      } catch (e) {
        up.cancel();
        if (call.ending) return;
        if (e instanceof WireError) {
          const message = e.code === "resource_exhausted" ? `upstream ${e.message}` : `upstream stream broken: ${e.message}`;
          return call.fail(e.code === "resource_exhausted" ? "resource_exhausted" : "internal", message, 502);
        }
        return call.fail("unavailable", `upstream stream failed: ${errText(e)}`, 503);
      }
      if (first === null) return;
      const batch = [first.raw];
      for (let f; (f = up.takeBufferedFrame(o.maxMessageBytes)) !== undefined;) batch.push(f);
      if (batch.some((f) => f[0]! & FLAG_END)) call.endForwarded = true;
      call.resMessages += batch.length;
      const bytes = batch.length === 1 ? batch[0]! : concatBytes(batch);
      call.resBytes += bytes.byteLength;
      if (!(await call.write(bytes))) {
        up.cancel();
        return;
      }
    }
  }

  async function serveSession(incoming: Deno.QuicIncoming): Promise<void> {
    let conn: Deno.QuicConn;
    try {
      conn = await incoming.accept();
    } catch (e) {
      log(`${new Date().toISOString()} session handshake failed: ${errText(e)}`);
      return;
    }
    const peer = `${conn.remoteAddr.hostname}:${conn.remoteAddr.port}`;
    const session = new Session(conn, peer);
    sessions.add(session);
    let streamsSeen = 0;
    const ended = conn.closed.then(
      (info) => `closed (code ${info.closeCode}${info.reason ? `, ${info.reason}` : ""})`,
      (e) => `lost (${errText(e)})`,
    );
    void ended.then((why) => {
      sessions.delete(session);
      for (const call of [...session.calls]) call.cancel(`session ${why}`);
      log(`${new Date().toISOString()} session s${session.id} ${peer} ${why} after ${streamsSeen} calls`);
    });
    try {
      session.wt = await Deno.upgradeWebTransport(conn);
    } catch (e) {
      log(`${new Date().toISOString()} session s${session.id} ${peer} WebTransport upgrade failed: ${errText(e)}`);
      try {
        conn.close({ closeCode: 0x10c, reason: "WebTransport upgrade failed" });
      } catch { /* already closed */ }
      return;
    }
    log(`${new Date().toISOString()} session s${session.id} ${peer} opened ${(session.wt as { url?: string }).url ?? ""}`);
    const streams = conn.incomingBidirectionalStreams.getReader();
    for (;;) {
      let r;
      try {
        r = await streams.read();
      } catch {
        break;
      }
      if (r.done) break;
      streamsSeen++;
      const call = new Call(session, r.value, `s${session.id}/${r.value.writable.id}`);
      session.calls.add(call);
      if (closing) {
        void call.fail("unavailable", "gateway shutting down", 503);
        continue;
      }
      call.src.prefetch();
      serveCall(call).catch((e) => {
        if (call.ending) return;
        if (e instanceof WireError) return call.fail(e.code, e.message, e.status);
        return call.fail("internal", `gateway error: ${errText(e)}`, 500);
      });
    }
  }

  const acceptLoop = (async () => {
    for (;;) {
      let incoming: Deno.QuicIncoming;
      try {
        incoming = await listener.incoming();
      } catch {
        return; // listener stopped
      }
      if (closing || sessions.size >= o.maxSessions) {
        incoming.refuse();
        continue;
      }
      void serveSession(incoming);
    }
  })();

  return {
    hostname: addr.hostname,
    port: addr.port,
    url: `https://${addr.hostname}:${addr.port}/`,
    async close(reason = "gateway shutting down") {
      if (closing) return;
      closing = true;
      listener.stop();
      const pending: Promise<void>[] = [];
      for (const s of sessions) {
        for (const call of s.calls) {
          void call.fail("unavailable", reason, 503);
          pending.push(call.finished);
        }
      }
      await Promise.race([Promise.all(pending), new Promise((r) => setTimeout(r, 1000))]);
      // Let the FINs and end frames reach the clients before the connections go.
      await new Promise((r) => setTimeout(r, 50));
      for (const s of sessions) {
        try {
          s.conn.close({ closeCode: 0x100, reason });
        } catch { /* already closed */ }
      }
      endpoint.close({ closeCode: 0x100, reason });
      client.close();
      await acceptLoop;
    },
  };
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

async function readAll(body: ReadableStream<Uint8Array> | null, max: number): Promise<Uint8Array> {
  if (!body) return new Uint8Array();
  const reader = body.getReader();
  const parts: Uint8Array[] = [];
  let n = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    n += r.value.byteLength;
    if (n > max) {
      reader.cancel().catch(() => {});
      throw new WireError(`exceeds the limit of ${max} bytes`, "resource_exhausted", 502);
    }
    parts.push(r.value);
  }
  return concatBytes(parts);
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function stripUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
