// Upstream "grpc": each call as a gRPC call over HTTP/2 (node:http2 in Deno; cleartext with prior
// knowledge, or TLS), and each gRPC answer back as the Triple answer the client expects. Dubbo
// Java 3.3 and dubbo-go 3.3 carry client streams and bidi (dubbo-go: every stream) only over gRPC,
// so this is how a browser reaches every call kind on them.
//
// Translation (the client side is the Triple mapping of docs/webtransport.md):
// - request: a unary body becomes one gRPC envelope; stream envelopes pass unchanged (the framing is
//   the same); content types become application/grpc+proto|json; the client's deadline becomes
//   `grpc-timeout`; Connect's message encodings become grpc-encoding / grpc-accept-encoding;
//   metadata passes through.
// - response: a unary answer becomes the bare message with trailers as `trailer-*` headers, or a
//   Triple error body (grpc-status.ts reads each server's way of saying it); a stream answer keeps
//   its envelopes and ends with the Triple end frame (error, trailers as metadata).
// - flow: the upstream is read only as fast as the client takes messages (HTTP/2 flow control then
//   reaches the server), and the client's next message is read only when upstream takes the last.

import http2 from "node:http2";
import { type Call, errText } from "./call.ts";
import { atDeadline, encodeGrpcTimeout, grpcOutcome, type GrpcError, httpStatusForCode, requestTimeoutMs } from "./grpc-status.ts";
import { relayEnvelopes } from "./relay.ts";
import { type UpstreamKeepalive, watchConnection } from "./upstream-keepalive.ts";
import { describeConnection } from "./upstream-state.ts";
import { ByteSource, concatBytes, encodeFrame, encodeJsonFrame, FLAG_COMPRESSED, FLAG_END, WireError } from "./wire.ts";

/**
 * The connection-level receive window asked of every upstream: Dubbo Java 3.3.6 resets streams with
 * FLOW_CONTROL_ERROR after 10–15 messages when a client keeps HTTP/2's default 64 KiB (verified).
 * Streams keep the default 64 KiB window, so one paused call holds at most that much upstream.
 */
const CONNECTION_WINDOW_BYTES = 4 * 1024 * 1024;
/**
 * Each stream's receive window. Dubbo Java 3.3.6 resets a paused stream with FLOW_CONTROL_ERROR
 * under the 64 KiB default (seen when a paused consumer resumes); 1 MiB lets it through, at the
 * cost of up to that much more lead per paused call.
 */
const STREAM_WINDOW_BYTES = 1024 * 1024;
/** Connections to the upstream at most (more open only while every one has a stalled stream). */
const MAX_CONNECTIONS = 8;
/**
 * Streams the gateway resets (RST_STREAM, one per call cancelled or past its deadline) on one
 * connection before that connection takes no new calls and closes once its calls end. Dubbo Java
 * 3.3.6 (Netty 4.2) closes a connection whose client sends over 200 RST_STREAM frames in 30 s
 * ("Maximum number of RST frames reached", its Rapid Reset defence), failing every call still on it;
 * a page that cancels a lot (typeahead, navigation) gets there in seconds. Retiring a connection at
 * half that, whatever the time, keeps each one under the limit without a clock; a new connection
 * costs one handshake.
 */
const RESETS_PER_CONNECTION = 100;

/** Client headers that are the Triple protocol's own (translated below) or one hop's. */
const NOT_FORWARDED = new Set([
  "host", "connection", "keep-alive", "proxy-connection", "transfer-encoding", "upgrade", "te", "trailer",
  "content-length", "content-type", "accept-encoding", "expect", "tri-protocol-version", "connect-protocol-version",
  "triple-protocol-version", "tri-service-timeout", "triple-timeout-ms", "connect-timeout-ms", "grpc-timeout",
  "content-encoding", "connect-content-encoding", "connect-accept-encoding", "grpc-encoding", "grpc-accept-encoding",
]);
/** Upstream response headers that are gRPC's or one hop's, not the call's metadata. */
const NOT_METADATA = new Set([
  "content-type", "content-length", "date", "te", "trailer", "grpc-status", "grpc-message",
  "grpc-status-details-bin", "grpc-encoding", "grpc-accept-encoding",
]);

export interface GrpcUpstream {
  readonly forward: (call: Call, streaming: boolean) => Promise<void>;
  close(): void;
}

type Headers2 = http2.IncomingHttpHeaders & http2.IncomingHttpStatusHeader;

/** One upstream connection: its open streams, how many of them wait for the server to take request data, and its keepalive. */
interface PooledConnection {
  readonly session: http2.ClientHttp2Session;
  readonly label: string;
  readonly streams: Set<http2.ClientHttp2Stream>;
  stalled: number;
  /** Streams reset by the gateway; at RESETS_PER_CONNECTION the session is closed (gracefully: `closed`, so no new calls). */
  resets: number;
  readonly keepalive: UpstreamKeepalive;
}

/** How the gRPC upstream is reached and watched. */
export interface GrpcUpstreamOptions {
  /** Extra PEM CA certificates to trust (`https://` upstreams). */
  readonly caCerts: string[];
  readonly maxMessageBytes: number;
  /** Silence on a connection with waiting calls before a PING, and the PING's allowance (upstream-keepalive.ts); 0: off. */
  readonly keepaliveMs: number;
  readonly log: (line: string) => void;
}

/** A gRPC server at `base` (`http://host:port` for h2c with prior knowledge, or `https://`). */
export function grpcUpstream(base: string, { caCerts, maxMessageBytes, keepaliveMs, log }: GrpcUpstreamOptions): GrpcUpstream {
  const url = new URL(base);
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error(`gRPC upstream must be http:// or https://: ${base}`);
  const prefix = url.pathname.replace(/\/+$/, "");
  /** Open connections. */
  const pool = new Set<PooledConnection>();
  let connections = 0;

  /**
   * A connection for a new call: one whose streams all flow. A call whose server stopped reading
   * (a held handler) fills the server's connection-level window, and every other request body on
   * that connection would wait behind it (dubbo-go: even a unary call's one message), so such a
   * connection takes no new calls while another exists or can be opened.
   */
  function connection(): PooledConnection {
    let best: PooledConnection | undefined;
    for (const c of pool) {
      if (c.session.closed || c.session.destroyed) continue;
      if (c.stalled === 0) return c;
      if (best === undefined || c.stalled < best.stalled) best = c;
    }
    if (best !== undefined && pool.size >= MAX_CONNECTIONS) return best;
    const s = http2.connect(url.origin, {
      ...(caCerts.length > 0 ? { ca: caCerts } : {}),
      settings: { initialWindowSize: STREAM_WINDOW_BYTES },
    });
    const streams = new Set<http2.ClientHttp2Stream>();
    const describe = () => describeConnection(s, streams);
    const label = `${url.host} connection ${++connections}`;
    const keepalive = watchConnection(s, label, keepaliveMs, log, { describe });
    const pooled: PooledConnection = { session: s, label, streams, stalled: 0, resets: 0, keepalive };
    s.on("error", () => {}); // each stream reports it
    s.on("close", () => {
      keepalive.stop();
      pool.delete(pooled);
    });
    s.once("connect", () => {
      try {
        s.setLocalWindowSize(CONNECTION_WINDOW_BYTES);
      } catch {
        // closed meanwhile: the streams fail on their own
      }
    });
    pool.add(pooled);
    return pooled;
  }

  async function forward(call: Call, streaming: boolean): Promise<void> {
    const h = call.head!.headers;
    const json = /json/i.test(h["content-type"] ?? "");
    const outgoing: http2.OutgoingHttpHeaders = {
      ":method": "POST",
      ":path": prefix + call.head!.path,
      "content-type": json ? "application/grpc+json" : "application/grpc+proto",
      te: "trailers",
    };
    for (const [k, v] of Object.entries(h)) if (!NOT_FORWARDED.has(k)) outgoing[k] = v;
    const timeoutMs = requestTimeoutMs(h);
    if (timeoutMs !== undefined) outgoing["grpc-timeout"] = encodeGrpcTimeout(timeoutMs);
    // Per-message compression: Connect's stream headers name the same codecs as gRPC's.
    const sendEncoding = streaming ? h["connect-content-encoding"] : h["content-encoding"];
    if (sendEncoding && sendEncoding !== "identity") outgoing["grpc-encoding"] = sendEncoding;
    if (streaming && h["connect-accept-encoding"]) outgoing["grpc-accept-encoding"] = h["connect-accept-encoding"];

    let unaryBody: Uint8Array | undefined;
    if (!streaming) {
      unaryBody = await call.readUnaryRequest();
      if (call.ending) return;
    }

    let stream: http2.ClientHttp2Stream;
    let conn: PooledConnection;
    try {
      conn = connection();
      stream = conn.session.request(outgoing);
      conn.streams.add(stream);
      stream.once("close", () => conn.streams.delete(stream));
    } catch (e) {
      return call.fail("unavailable", `upstream ${url.origin} unreachable: ${errText(e)}`, 503);
    }
    const { keepalive } = conn;
    const ended = upstreamEnd(stream);
    const cancelUpstream = () => resetStream(conn, stream);
    call.upstreamAbort.signal.addEventListener("abort", cancelUpstream, { once: true });
    if (call.upstreamAbort.signal.aborted) cancelUpstream();

    if (unaryBody !== undefined) {
      stream.end(encodeFrame(sendEncoding && sendEncoding !== "identity" ? FLAG_COMPRESSED : 0, unaryBody));
    } else {
      void pumpRequest(call, stream, conn);
    }

    let head: Headers2;
    // Waiting for the head counts as waiting on the server; so does every read and drain below.
    const headWait = keepalive.wait();
    try {
      head = await responseHead(stream, ended);
      keepalive.activity();
    } catch (e) {
      if (call.ending) return;
      return call.fail("unavailable", `upstream ${url.origin}: ${errText(e)}`, 503);
    } finally {
      headWait();
    }
    call.status = head[":status"];
    const metadata: Record<string, string> = {};
    for (const [k, v] of Object.entries(head)) {
      if (!k.startsWith(":") && !NOT_METADATA.has(k) && v !== undefined) metadata[k] = Array.isArray(v) ? v.join(", ") : String(v);
    }
    const body = new ByteSource(upstreamReader(stream, keepalive, cancelUpstream), 0);
    const contentType = json ? "application/json" : "application/proto";
    if (streaming) await answerStream(call, head, metadata, body, ended, `application/connect+${json ? "json" : "proto"}`);
    else await answerUnary(call, head, metadata, body, ended, contentType);
  }

  /**
   * Cancels one upstream stream. At RESETS_PER_CONNECTION resets its connection is closed
   * gracefully: a closed session takes no new calls (connection() skips it) and ends once its calls do.
   */
  function resetStream(conn: PooledConnection, stream: http2.ClientHttp2Stream): void {
    if (stream.closed || stream.destroyed) return;
    stream.close(http2.constants.NGHTTP2_CANCEL);
    if (++conn.resets < RESETS_PER_CONNECTION || conn.session.closed || conn.session.destroyed) return;
    log(`${new Date().toISOString()} upstream ${conn.label}: ${conn.resets} streams reset; no new calls on it, closing once its ${conn.streams.size} call(s) end`);
    conn.session.close();
  }

  /** The client's stream messages to upstream, each read from the client only once upstream took the last. */
  async function pumpRequest(call: Call, stream: http2.ClientHttp2Stream, conn: PooledConnection): Promise<void> {
    try {
      for (;;) {
        const frame = await call.nextRequestFrame();
        if (frame === null || stream.destroyed) break;
        if (!stream.write(frame)) {
          conn.stalled++;
          const drained = conn.keepalive.wait();
          await new Promise<void>((resolve) => {
            const done = () => {
              stream.off("drain", done);
              stream.off("close", done);
              conn.stalled--;
              drained();
              conn.keepalive.activity();
              resolve();
            };
            stream.on("drain", done);
            stream.on("close", done);
          });
        }
      }
      if (!stream.destroyed) stream.end();
    } catch {
      // the call was cancelled or failed (the Call says how); upstream is reset by the abort
    }
  }

  /** Unary: one message, then the status; the answer goes to the client in one piece. */
  async function answerUnary(
    call: Call, head: Headers2, metadata: Record<string, string>, body: ByteSource, ended: Promise<UpstreamEnd>, contentType: string,
  ): Promise<void> {
    let message: Uint8Array | undefined;
    try {
      const first = await body.readFrame(maxMessageBytes, "response message");
      if (first !== null) {
        if (first.flags & FLAG_COMPRESSED) throw new WireError("upstream compressed a unary answer without being asked", "internal", 502);
        message = first.payload;
        if ((await body.readFrame(maxMessageBytes, "response message")) !== null) {
          throw new WireError("upstream sent more than one message for a unary call", "internal", 502);
        }
      }
    } catch (e) {
      body.cancel();
      if (call.ending) return;
      if (e instanceof WireError) return call.fail(e.code, `upstream ${e.message}`, e.status);
      return call.fail("unavailable", `upstream answer failed: ${errText(e)}`, 503);
    }
    const end = await ended;
    if (call.ending) return;
    const error = atDeadline(end.error ?? grpcOutcome(head[":status"] ?? 0, head, end.trailers), call.deadlinePassed);
    if (error === null && message === undefined) {
      return call.fail("unimplemented", "upstream answered a unary call with no message", 502);
    }
    const trailers = metadataOf(end.trailers);
    call.headSent = true;
    if (error !== null) {
      const status = httpStatusForCode(error.code);
      call.status = status;
      const headJson = { v: call.version, status, headers: { ...metadata, ...trailers, "content-type": "application/json" } };
      const text = new TextEncoder().encode(JSON.stringify({ code: error.code, message: error.message, details: error.details }));
      call.result = { kind: "error", code: error.code, detail: error.message };
      if (!(await call.write(concatBytes([encodeJsonFrame(0, headJson), text])))) return;
    } else {
      const headers: Record<string, string> = { ...metadata, "content-type": contentType };
      for (const [k, v] of Object.entries(trailers)) headers[`trailer-${k}`] = v;
      call.resMessages = 1;
      call.resBytes = message!.byteLength;
      if (!(await call.write(concatBytes([encodeJsonFrame(0, { v: call.version, status: 200, headers }), message!]), 1))) return;
    }
    await call.finish();
  }

  /** Streams: the head at once, then each envelope as the client takes it, then the end frame. */
  async function answerStream(
    call: Call, head: Headers2, metadata: Record<string, string>, body: ByteSource, ended: Promise<UpstreamEnd>, contentType: string,
  ): Promise<void> {
    const headers: Record<string, string> = { ...metadata, "content-type": contentType };
    const encoding = head["grpc-encoding"];
    if (typeof encoding === "string" && encoding !== "identity") headers["connect-content-encoding"] = encoding;
    call.headSent = true;
    call.status = 200;
    if (!(await call.write(encodeJsonFrame(0, { v: call.version, status: 200, headers })))) return body.cancel();
    try {
      if ((await relayEnvelopes(call, body, maxMessageBytes)) === "call-ended") return;
    } catch (e) {
      if (call.ending) return;
      if (e instanceof WireError) return call.fail(e.code, `upstream ${e.message}`, e.status);
      // a reset mid-body: the end below says what happened
    }
    const end = await ended;
    if (call.ending) return;
    const error = atDeadline(end.error ?? grpcOutcome(head[":status"] ?? 0, head, end.trailers), call.deadlinePassed);
    const trailers = metadataOf(end.trailers);
    const endJson: { error?: GrpcError; metadata: Record<string, string[]> } = {
      metadata: Object.fromEntries(Object.entries(trailers).map(([k, v]) => [k, [v]])),
    };
    if (error !== null) {
      endJson.error = error;
      call.result = { kind: "error", code: error.code, detail: error.message };
    }
    call.endForwarded = true;
    if (!(await call.write(encodeJsonFrame(FLAG_END, endJson)))) return;
    if (!call.requestEnded) call.drainRequest();
    await call.finish();
  }

  return {
    forward,
    close: () => {
      for (const c of pool) c.session.close();
      pool.clear();
    },
  };
}

interface UpstreamEnd {
  trailers: http2.IncomingHttpHeaders | undefined;
  /** Set when the stream ended without a gRPC answer (reset, connection lost). */
  error: GrpcError | undefined;
}

/** Resolves when the upstream stream is over: its trailers, or what broke it. */
function upstreamEnd(stream: http2.ClientHttp2Stream): Promise<UpstreamEnd> {
  return new Promise((resolve) => {
    let trailers: http2.IncomingHttpHeaders | undefined;
    let failure: Error | undefined;
    stream.on("trailers", (t) => (trailers = t));
    stream.on("error", (e) => (failure = e));
    stream.once("close", () => {
      const code = stream.rstCode ?? 0;
      const broken = trailers === undefined && (failure !== undefined || code !== http2.constants.NGHTTP2_NO_ERROR);
      resolve({
        trailers,
        error: broken
          ? { code: "unavailable", message: `upstream stream ended without a status: ${failure ? errText(failure) : `reset (code ${code})`}`, details: [] }
          : undefined,
      });
    });
  });
}

/** The response head; rejects when the stream closes or fails first. */
function responseHead(stream: http2.ClientHttp2Stream, ended: Promise<UpstreamEnd>): Promise<Headers2> {
  return new Promise((resolve, reject) => {
    stream.once("response", (h) => resolve(h as Headers2));
    void ended.then((end) => reject(new Error(end.error?.message ?? "upstream closed the stream before answering")));
  });
}

/**
 * The stream's body as a reader that pulls from node:http2 only when asked: unread data stays in
 * HTTP/2's window, so a client that stops reading stops the server. (Data may arrive before the
 * `response` event in Deno's node:http2; the Readable keeps it until read.)
 */
function upstreamReader(stream: http2.ClientHttp2Stream, keepalive: UpstreamKeepalive, cancel: () => void): ReadableStreamDefaultReader<Uint8Array> {
  const chunks = stream[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const waited = keepalive.wait();
      const r = await chunks.next().finally(waited);
      keepalive.activity();
      if (r.done) controller.close();
      else controller.enqueue(new Uint8Array(r.value.buffer, r.value.byteOffset, r.value.byteLength));
    },
    cancel,
  }, { highWaterMark: 0 }).getReader();
}

/** Trailers as call metadata (without gRPC's own fields). */
function metadataOf(trailers: http2.IncomingHttpHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(trailers ?? {})) {
    if (!k.startsWith(":") && !NOT_METADATA.has(k) && v !== undefined) out[k] = Array.isArray(v) ? v.join(", ") : String(v);
  }
  return out;
}
