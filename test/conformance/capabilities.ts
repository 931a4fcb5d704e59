// What a runtime can do with triple-es, per transport and call kind. One file per runtime in
// ./capabilities/ fills this in; the suite turns every entry into assertions (a supported
// combination must work, an unsupported one must fail with exactly the stated code and message),
// and test/runtimes/support-table.ts renders the README's support table from the same files.

import { Code } from "triple-es";

/**
 * How a runtime reaches the dubbo-js test server: its fetch over HTTP/1.1 ("h1") or HTTP/2 + TLS
 * ("h2") (`createFetchTransport`), or through the gateway (gateway/), which calls the server's
 * HTTP/2 + TLS listener, over WebTransport ("wt", `createWebTransportTransport`) or a WebSocket
 * ("ws", `createWebSocketTransport` from triple-es/websocket).
 */
export type TransportName = "h1" | "h2" | "wt" | "ws";

/** The transports that are fetch (a runtime's fetch may lack one: see `unavailable`). */
export type FetchTransportName = Exclude<TransportName, GatewayPath>;

/** The gateway's two downstream paths. */
export type GatewayPath = "wt" | "ws";

export const transportLabels: Record<TransportName, string> = {
  h1: "HTTP/1.1",
  h2: "HTTP/2 (TLS)",
  wt: "WebTransport (gateway)",
  ws: "WebSocket (gateway)",
};

export type CallKind = "unary" | "serverStream" | "clientStream" | "bidi";

export const callKindLabels: Record<CallKind, string> = {
  unary: "unary",
  serverStream: "server stream",
  clientStream: "client stream",
  bidi: "bidi stream",
};

/** A combination that works. */
export interface Supported {
  readonly supported: true;
  /**
   * Client stream and bidi: "full" when responses arrive while requests are still being sent
   * (a bidi ping-pong works); "half" when the runtime shows the response only after the request
   * body is closed (a ping-pong cannot progress and ends at its deadline).
   */
  readonly duplex?: "full" | "half";
  /**
   * Client stream: "streamed" (the default) when the server reads each message while the client
   * is still sending; "buffered" when the requests go as one body after the last one.
   */
  readonly upload?: "streamed" | "buffered";
  /** A note for the support table. */
  readonly note?: string;
}

/** A combination that does not work, and exactly how the user is told. */
export interface Unsupported {
  readonly supported: false;
  /** The TripleError code the call fails with. */
  readonly code: Code;
  /** A substring of the TripleError's `message`. */
  readonly message: string;
  /** Why, in a few words, for the support table. */
  readonly why: string;
}

export type Support = Supported | Unsupported;

/** MiB a server may get ahead of a paused consumer, or "unbounded" when nothing stops it. */
export type ReceiveBacklog = number | "unbounded";

export interface TransportCapabilities {
  readonly unary: Support;
  readonly serverStream: Support;
  readonly clientStream: Support;
  readonly bidi: Support;
  /** Overrides the runtime's `receiveBacklogMiB` for this transport. */
  readonly receiveBacklogMiB?: ReceiveBacklog;
  /** Status codes that cannot reach the caller here, what they arrive as, and why (e.g. the engine hides the HTTP answer). */
  readonly codesLost?: readonly { readonly code: Code; readonly arrivesAs: Code; readonly why: string }[];
  /** A note for the support table about the transport as a whole. */
  readonly note?: string;
}

export interface RuntimeCapabilities {
  /** Short id: node, deno, workerd, bun, chromium. */
  readonly runtime: string;
  /** For the table, e.g. "Deno 2.9". */
  readonly label: string;
  /** How the runtime's fetch reaches each listener; a missing transport is explained in `unavailable`. */
  readonly transports: Partial<Record<TransportName, TransportCapabilities>>;
  /**
   * Receive backpressure: the most a server may get ahead of a consumer that stopped reading, in
   * MiB (socket buffers plus what the runtime's fetch reads ahead). The suite pauses a stream of
   * twice this size and asserts the producer stops within it. "unbounded": the runtime's fetch
   * reads a whole response ahead of a paused consumer (no receive backpressure); the suite asserts
   * that a 128 MiB stream runs to its end unread (./read-ahead.ts).
   */
  readonly receiveBacklogMiB: ReceiveBacklog;
  /** Transports this runtime's fetch cannot speak, with the reason (shown in the table). */
  readonly unavailable?: Partial<Record<FetchTransportName, string>>;
  /** The Java and Go servers, over HTTP/1.1 with their protocols. */
  readonly servers: Record<OtherServer, ServerCapabilities>;
  /**
   * The Java and Go servers through the gateway, which speaks gRPC to them (`--upstream-protocol
   * grpc`), per downstream path the runtime takes to the gateway. A path left out has no cells
   * for this runtime (nor rows in the table).
   */
  readonly viaGateway?: Partial<Record<GatewayPath, Record<OtherServer, ServerCapabilities>>>;
}

export const ok: Supported = { supported: true };

/**
 * The dubbo-js server refuses bidi over HTTP/1.1 with a bare 505, whatever the client runtime:
 * the same in every capability file.
 */
export const bidiRefusedOverHttp1: Unsupported = {
  supported: false,
  code: Code.Unimplemented,
  message: "the server answered HTTP 505 (HTTP Version Not Supported)",
  why: "dubbo-js answers bidi over HTTP/1.1 with 505",
};

/**
 * A runtime without a WebTransport class (Node, Bun, workerd): every call over
 * `createWebTransportTransport` fails with this, before anything goes on the network.
 */
export function noWebTransport(why: string): TransportCapabilities {
  const unsupported: Unsupported = {
    supported: false,
    code: Code.Unimplemented,
    message:
      "this runtime has no WebTransport: use Chromium, Edge, Firefox, Safari 26.4 or later, or Deno with --unstable-net " +
      "(Node, Bun, WebKitGTK, older Safari and Cloudflare Workers have none: use createWebSocketTransport " +
      "from triple-es/websocket through the gateway, or createFetchTransport)",
    why,
  };
  return { unary: unsupported, serverStream: unsupported, clientStream: unsupported, bidi: unsupported };
}

/**
 * The Dubbo servers besides dubbo-js, each reached over its own dialect of plain HTTP/1.1 (the
 * transport every runtime's fetch has): Dubbo Java 3.3 with `dubboJava()`, dubbo-go 3.3 with
 * `dubboGo()`.
 */
export type OtherServer = "java" | "go";

export const serverLabels: Record<OtherServer | "dubbo-js", string> = {
  "dubbo-js": "dubbo-js 3.0α",
  java: "Dubbo Java 3.3.6",
  go: "dubbo-go 3.3.2",
};

/** What a runtime can call on one of the other servers, per call kind. */
export interface ServerCapabilities {
  readonly unary: Support;
  readonly serverStream: Support;
  readonly clientStream: Support;
  readonly bidi: Support;
  /** How the runtime reaches it, for the table, e.g. a same-origin proxy. */
  readonly note?: string;
  /** Through the gateway: unary in JSON (`application/grpc+json` upstream); default supported. */
  readonly json?: Support;
  /**
   * Through the gateway: how far the server's producer gets ahead of a consumer that stopped
   * reading, in MiB (the call's credits hold the gateway, HTTP/2 flow control holds the server),
   * or "unbounded" when the server's producer never waits (it queues what it sends in itself).
   * Default: the runtime's bound for the path (its `receiveBacklogMiB` for "wt" or "ws").
   */
  readonly producerLeadMiB?: ReceiveBacklog;
  /**
   * Through the gateway: how the server's handler sees a client stream the caller aborted (the
   * gateway resets the upstream stream): "cancel" (the default), or "end of input" when the
   * server reads the reset as the stream's orderly end (its handler answers into the void), or
   * "either" when the same server shows one or the other from run to run.
   */
  readonly abortedUploadSeenAs?: "cancel" | "end of input" | "either";
  /**
   * Through the gateway: a call's cancellation can reach another call the server serves at the
   * same time; the suite runs the cases that wait on a deadline or a cancel alone.
   */
  readonly crossCallCancel?: boolean;
  /** Through the gateway: status codes the server does not deliver as themselves. */
  readonly codesLost?: TransportCapabilities["codesLost"];
}

const javaNoStreamsUpward = (kind: "client" | "bidi"): Unsupported => ({
  supported: false,
  code: Code.Unimplemented,
  message: `Dubbo Java 3.3 serves ${kind} streams only over gRPC, which fetch cannot speak`,
  why: "Java 3.3 serves it over gRPC only (through the gateway)",
});

/** Dubbo Java 3.3.6 over HTTP/1.1 in JSON: the same in every runtime (refusals happen before sending). */
export const javaOverHttp: ServerCapabilities = {
  unary: { supported: true, note: "JSON only" },
  serverStream: { supported: true, note: "Server-Sent Events" },
  clientStream: javaNoStreamsUpward("client"),
  bidi: javaNoStreamsUpward("bidi"),
};

const goNoStreams = (kind: string): Unsupported => ({
  supported: false,
  code: Code.Unimplemented,
  message: `dubbo-go 3.3 serves ${kind} only over gRPC, which fetch cannot speak`,
  why: "dubbo-go serves streams over gRPC only (through the gateway)",
});

/** dubbo-go 3.3.2 over HTTP/1.1, binary or JSON: the same in every runtime. */
export const goOverHttp: ServerCapabilities = {
  unary: ok,
  serverStream: goNoStreams("server streams"),
  clientStream: goNoStreams("client streams"),
  bidi: goNoStreams("bidi streams"),
};

/**
 * Dubbo Java 3.3.6 through the gateway (gRPC upstream): every call kind, full duplex, the same in
 * every runtime that reaches the gateway.
 */
export const javaViaGateway: ServerCapabilities = {
  unary: ok,
  serverStream: ok,
  clientStream: ok,
  bidi: { supported: true, duplex: "full" },
  json: {
    supported: false,
    code: Code.Unknown,
    message: "Internal Server Error",
    why: "Java 3.3.6 answers gRPC in JSON (application/grpc+json) with UNKNOWN",
  },
  // Its StreamObserver's onNext never waits: what the gateway does not read queues in the server.
  producerLeadMiB: "unbounded",
  // Seen in the suite: a unary call sleeping in its handler ends CANCELLED ("call cancelled: null")
  // within its 200 ms deadline while other calls, some ending CANCELLED, run beside it.
  crossCallCancel: true,
  // Seen over both paths: the handler ends cancelled in some runs, finished (or both) in others.
  abortedUploadSeenAs: "either",
};

/** dubbo-go 3.3.2 through the gateway (gRPC upstream): every call kind, full duplex, binary and JSON. */
export const goViaGateway: ServerCapabilities = {
  unary: ok,
  serverStream: ok,
  clientStream: ok,
  bidi: { supported: true, duplex: "full" },
  // Its Send blocks on HTTP/2 flow control: the call's credits hold the gateway, the gateway the
  // server; the lead is bounded as the path's (receiveBacklogMiB), e.g. an engine's QUIC windows.
  // dubbo-go 3.3.2's Recv usually ends without an error on the reset (the handler returns its
  // answer), but a full npm test run saw the handler's context cancelled first (Firefox, WS): a
  // race inside dubbo-go, so either ending is accepted; the client's Canceled is always asserted.
  abortedUploadSeenAs: "either",
};

/** Java and Go through the gateway, for a runtime that has the path. */
export const serversViaGateway: Record<OtherServer, ServerCapabilities> = { java: javaViaGateway, go: goViaGateway };

/** Java and Go through the gateway over WebTransport, for a runtime without it. */
export function serversWithoutWebTransport(why: string): Record<OtherServer, ServerCapabilities> {
  const { unary } = noWebTransport(why);
  const none = { unary, serverStream: unary, clientStream: unary, bidi: unary };
  return { java: none, go: none };
}
