// The flow-control state of one upstream HTTP/2 connection as a log line. The keepalive writes it
// when a connection with waiting calls has gone silent, because each place data can be held back
// shows up in it:
// - `queued` (frames nghttp2 has framed but the gateway has not written to the socket) above 0:
//   the gateway's own HTTP/2 client is holding frames, a request or a WINDOW_UPDATE;
// - `send window` 0: the server's connection window holds the gateway's request data;
// - `recv unacked` near the receive window: the gateway took data but has not returned the credit;
// - on a waiting stream, `unread` above 0: a reply reached the gateway but the relay did not read
//   it; `unsent` above 0: request bytes still in node:http2's writable buffer;
// - all of these clear: the server holds its answer.

import type http2 from "node:http2";

/** The connection's and its open streams' state in one line, e.g. for the keepalive's PING log. */
export function describeConnection(session: http2.ClientHttp2Session, streams: Iterable<http2.ClientHttp2Stream>): string {
  const parts: string[] = [];
  try {
    const s = session.state;
    parts.push(
      `queued ${s.outboundQueueSize ?? "?"} frame(s), send window ${s.remoteWindowSize ?? "?"} B, ` +
        `recv window ${s.effectiveLocalWindowSize ?? "?"} B with ${s.effectiveRecvDataLength ?? "?"} B unacked`,
    );
  } catch (e) {
    parts.push(`no session state (${e instanceof Error ? e.message : String(e)})`);
  }
  for (const stream of streams) {
    let window = "?";
    try {
      window = String(stream.state.localWindowSize ?? "?");
    } catch {
      // a stream closing meanwhile has no state
    }
    parts.push(`stream ${stream.id ?? "?"}: recv window ${window} B, ${stream.readableLength} B unread, ${stream.writableLength} B unsent`);
  }
  return parts.join("; ");
}
