// The gateway: WebTransport sessions (and, optionally, WebSockets) from browsers and Deno
// downstream, one configured Triple or gRPC server upstream (docs/webtransport.md,
// docs/websocket.md). This file owns the listeners and shutdown; a session is served by
// downstream-webtransport.ts or downstream-websocket.ts, a call by call.ts, and the upstream by
// upstream-triple.ts or upstream-grpc.ts.

import type { Call } from "./call.ts";
import { serveSession, type Session } from "./downstream-webtransport.ts";
import { listenWebSocket, type WebSocketListener } from "./downstream-websocket.ts";
import { type GatewayOptions, resolveOptions } from "./options.ts";
import { grpcUpstream } from "./upstream-grpc.ts";
import { tripleUpstream } from "./upstream-triple.ts";

export type { GatewayOptions, UpstreamProtocol } from "./options.ts";

export interface Gateway {
  readonly hostname: string;
  readonly port: number;
  readonly url: string;
  /** The WebSocket downstream's URL (ws:// or wss://), when `webSocketPort` was given. */
  readonly webSocketUrl: string | undefined;
  /** Ends every call with an Unavailable error, closes every session, stops listening. */
  close(reason?: string): Promise<void>;
}

export function startGateway(options: GatewayOptions): Gateway {
  const o = resolveOptions(options);
  const base = o.upstream.replace(/\/+$/, "");
  const upstream = o.upstreamProtocol === "grpc"
    ? grpcUpstream(base, { caCerts: o.upstreamCaCerts ?? [], maxMessageBytes: o.maxMessageBytes, keepaliveMs: o.upstreamKeepaliveMs, log: o.log })
    : tripleUpstream(base, o.upstreamCaCerts ?? [], o.maxMessageBytes);

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
  const sessions = new Set<Session>();
  const ctx = { options: o, forward: (call: Call, streaming: boolean) => upstream.forward(call, streaming), closing: () => closing };
  const webSocket: WebSocketListener | undefined = o.webSocketPort === undefined ? undefined : listenWebSocket({
    hostname: o.hostname ?? "127.0.0.1",
    port: o.webSocketPort,
    cert: o.webSocketTls ? o.cert : undefined,
    key: o.webSocketTls ? o.key : undefined,
    allowedOrigins: o.allowedOrigins,
  }, ctx);

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
      void serveSession(incoming, sessions, ctx);
    }
  })();

  return {
    hostname: addr.hostname,
    port: addr.port,
    url: `https://${addr.hostname}:${addr.port}/`,
    webSocketUrl: webSocket?.url,
    async close(reason = "gateway shutting down") {
      if (closing) return;
      closing = true;
      listener.stop();
      const wsClosed = webSocket?.close();
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
      upstream.close();
      await Promise.all([acceptLoop, wsClosed]);
    },
  };
}
