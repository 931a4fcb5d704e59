// Downstream WebTransport: a QUIC connection upgraded to a WebTransport session, each of its
// bidirectional streams one call (docs/webtransport.md), handed to the upstream.
//
// Deno 2.9.6 workaround (denoland/deno#36822): the WebTransport wrapper's send streams never send
// FIN and its streams are released only on GC. Deno.upgradeWebTransport is used for the handshake
// only; calls are served on the raw QUIC streams of the connection, whose close() sends FIN.

import { Call, type Downstream, errText } from "./call.ts";
import { requestTimeoutMs } from "./grpc-status.ts";
import type { ResolvedOptions } from "./options.ts";
import { parseRequestHead, WireError, WT_BIDI_STREAM_TYPE } from "./wire.ts";

/** What a session needs from the gateway around it. */
export interface SessionContext {
  readonly options: ResolvedOptions;
  /** Runs one call upstream once its head is read (upstream-triple.ts or upstream-grpc.ts). */
  readonly forward: (call: Call, streaming: boolean) => Promise<void>;
  /** True once the gateway is shutting down: new calls are refused. */
  readonly closing: () => boolean;
}

export class Session {
  static #seq = 0;
  readonly id = ++Session.#seq;
  readonly calls = new Set<Call>();
  // Held so the wrapper's CONNECT and settings streams are not collected (that would end the session).
  wt: unknown;
  constructor(readonly conn: Deno.QuicConn, readonly peer: string) {}
}

/** Accepts one incoming QUIC connection as a WebTransport session and serves its calls until it ends. */
export async function serveSession(incoming: Deno.QuicIncoming, sessions: Set<Session>, ctx: SessionContext): Promise<void> {
  const log = ctx.options.log;
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
    const call = new Call(`s${session.id}/${r.value.writable.id}`, r.value.readable, streamDownstream(r.value.writable), ctx.options, log, (c) =>
      session.calls.delete(c));
    session.calls.add(call);
    if (ctx.closing()) {
      void call.fail("unavailable", "gateway shutting down", 503);
      continue;
    }
    call.src.prefetch();
    serveCall(call, ctx).catch((e) => {
      if (call.ending) return;
      if (e instanceof WireError) return call.fail(e.code, e.message, e.status);
      return call.fail("internal", `gateway error: ${errText(e)}`, 500);
    });
  }
}

/** A call's response side on its QUIC stream: writes wait for QUIC flow control. */
function streamDownstream(writable: WritableStream<Uint8Array>): Downstream {
  const writer = writable.getWriter();
  writer.closed.catch(() => {});
  return { write: (bytes) => writer.write(bytes), close: () => writer.close() };
}

/** Reads a call's stream header, then serves it as `startCall` says. */
async function serveCall(call: Call, ctx: SessionContext): Promise<void> {
  const { src } = call;
  // WebTransport stream header: varint 0x41, varint session id.
  const type = await src.readVarint();
  if (type !== WT_BIDI_STREAM_TYPE) {
    call.result = { kind: "error", code: "invalid_argument", detail: `not a WebTransport bidirectional stream (type ${type})` };
    return call.finish();
  }
  await src.readVarint();
  await startCall(call, ctx);
}

/**
 * Reads a call's request head, sets its deadline and credits, and hands it upstream: the part of a
 * call that is the same on every downstream (WebTransport streams, WebSocket calls).
 */
export async function startCall(call: Call, ctx: SessionContext, defaultCredits?: number): Promise<void> {
  const { src } = call;
  const o = ctx.options;
  const headFrame = await src.readFrame(o.maxHeadBytes, "request head");
  if (headFrame === null) return call.cancel("client closed the stream before the request head");
  if (headFrame.flags !== 0) throw new WireError(`request head frame has flags ${headFrame.flags}; must be 0`, "invalid_argument", 400);
  const head = (call.head = parseRequestHead(headFrame.payload));
  const credits = head.credits ?? defaultCredits;
  if (credits !== undefined) call.useCredits(credits);

  const asked = requestTimeoutMs(head.headers);
  const cap = o.maxCallDurationMs > 0 ? o.maxCallDurationMs : Infinity;
  if (asked !== undefined && asked <= cap) call.setDeadline(asked, `the call's deadline of ${asked} ms passed`);
  else if (cap !== Infinity) call.setDeadline(cap, `the gateway's limit of ${cap} ms per call passed`);

  await ctx.forward(call, head.body === "envelopes");
}
