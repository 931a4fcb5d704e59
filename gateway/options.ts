// The gateway's options and their defaults, apart from the code that uses them.

/**
 * What the gateway speaks to its one upstream server:
 * - "triple": Triple over HTTP/2 + TLS (`https://`), bodies passed through unchanged: the dubbo-js
 *   server, or any Triple server that serves every call kind over HTTP/2;
 * - "grpc": gRPC over HTTP/2, cleartext with prior knowledge (`http://`) or TLS (`https://`): Dubbo
 *   Java 3.3 and dubbo-go 3.3, which carry client streams and bidi (and dubbo-go every stream) only
 *   over gRPC. The gateway turns each call into gRPC and each answer back into Triple.
 */
export type UpstreamProtocol = "triple" | "grpc";

export interface GatewayOptions {
  /** Upstream base URL: `https://host:port[/prefix]` for Triple; `http://` (h2c) or `https://` for gRPC. */
  upstream: string;
  /** Default "triple". */
  upstreamProtocol?: UpstreamProtocol;
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
  /**
   * The gateway's own deadline for every call, in ms, whatever the client asked (a client's
   * shorter deadline still applies): the call ends with DeadlineExceeded and the upstream call is
   * cancelled, even when the server ignores deadlines. Default 300 000 (5 minutes); 0 turns it off.
   */
  maxCallDurationMs?: number;
  /**
   * gRPC upstream: after this many ms without a frame on a connection while a call waits on the
   * server, the gateway sends a PING; a connection that leaves it unanswered as long again is
   * closed and its calls end with Unavailable (a lost peer never makes a call wait out its
   * deadline). Default 20 000; 0 turns it off.
   */
  upstreamKeepaliveMs?: number;
  /**
   * TCP port of the WebSocket downstream (docs/websocket.md), for engines without WebTransport;
   * undefined: none. 0 picks a free port.
   */
  webSocketPort?: number;
  /** Serve the WebSocket downstream over TLS (wss://) with `cert` and `key`. Default false (ws://). */
  webSocketTls?: boolean;
  /**
   * Origins allowed to open a WebSocket (exact `Origin` header values, e.g. "https://app.example");
   * empty: any origin. (Deno does not show a WebTransport session's headers, so WebTransport
   * sessions cannot be checked; pin the gateway's certificate hash in your app instead.)
   */
  allowedOrigins?: string[];
  /** One line per call and per session; default console.error. */
  log?: (line: string) => void;
}

/** The options with every default filled in. */
export type ResolvedOptions = Required<Omit<GatewayOptions, "upstreamCaCerts" | "log" | "hostname" | "port" | "webSocketPort">> &
  Pick<GatewayOptions, "upstreamCaCerts" | "hostname" | "port" | "webSocketPort"> & { log: (line: string) => void };

const DEFAULTS = {
  upstreamProtocol: "triple" as UpstreamProtocol,
  maxStreamsPerSession: 100,
  maxSessions: 100,
  maxHeadBytes: 16 * 1024,
  maxMessageBytes: 4 * 1024 * 1024,
  idleTimeoutMs: 10_000,
  maxCallDurationMs: 300_000,
  upstreamKeepaliveMs: 20_000,
  webSocketTls: false,
  allowedOrigins: [] as string[],
};

/** Fills in the defaults (an option given as undefined takes its default too). */
export function resolveOptions(options: GatewayOptions): ResolvedOptions {
  const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as GatewayOptions;
  return { ...DEFAULTS, log: (line: string) => console.error(line), ...given } as ResolvedOptions;
}
