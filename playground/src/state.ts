// The page's state in one plain object, also exposed as `window.__playground` so tests (and curious
// people in DevTools) can read what the page shows without scraping the DOM.

import type { UploadProgress } from "triple-es";

/**
 * "wt" / "ws": WebTransport / WebSocket to the gateway (gateway/) in front of the chosen server
 * (dubbo-js: Triple over HTTP/2; Java and Go: gRPC).
 */
export type HttpChoice = "h1" | "h2" | "wt" | "ws" | "custom";
export type FormatChoice = "json" | "binary";
/** Which local server the page calls: the playground's dubbo-js server, or the Java or Go peer. */
export type ServerChoice = "dubbo-js" | "java" | "go";

/** A gateway in front of a server: WebTransport (pinned development certificate) and WebSocket. */
export interface GatewayInfo {
  url: string;
  certSha256: string;
  webSocketUrl?: string | undefined;
}

export interface Servers {
  /** The playground server over HTTP/1.1, e.g. http://127.0.0.1:50051 */
  h1: string;
  /** The same server over HTTP/2 with TLS (self-signed), e.g. https://127.0.0.1:50052 */
  h2: string;
  /**
   * The WebTransport gateway in front of `h2`, when `npm start` could start it: its URL and the
   * SHA-256 of its development certificate (base64), for `serverCertificateHashes`.
   */
  wt?: GatewayInfo | undefined;
  /**
   * The Dubbo Java 3.3 server, when `npm start` could build and start it: its own URL and the path
   * on the page's origin that forwards to it (Java answers no CORS preflight).
   */
  java?: { url: string; path: string; gateway?: GatewayInfo | undefined } | undefined;
  /** The dubbo-go 3.3 server, when `npm start` could build and start it (it sends CORS headers). */
  go?: { url: string; gateway?: GatewayInfo | undefined } | undefined;
  /** Why a server is not there, e.g. { java: "Java 17 and Maven are not installed (…)" }. */
  missing?: Partial<Record<"java" | "go", string>>;
}

export interface ErrorView {
  code: number;
  codeName: string;
  message: string;
  details: unknown[];
  metadata: Record<string, string>;
}

export interface CallView {
  /** e.g. "playground.v1.GreeterService/Greet" */
  method: string;
  kind: string;
  status: "idle" | "running" | "ok" | "error" | "cancelled";
  /** Responses as proto JSON, in arrival order. */
  responses: unknown[];
  /** Requests sent so far on a client or bidi stream. */
  sent: number;
  header: Record<string, string>;
  trailer: Record<string, string>;
  error: ErrorView | undefined;
  startedAt: number;
  endedAt: number | undefined;
  /** The URL called. */
  url: string;
  /** What the browser used, from Resource Timing: "h2", "http/1.1". */
  protocol: string;
  /** The HTTP status of the response, once a response body was seen (undefined: none arrived). */
  httpStatus: number | undefined;
  /** The requests sent, as proto JSON (for the snippets). */
  requests: unknown[];
  /** The last `onUploadProgress` report of a unary, client-stream or bidi call (none yet: undefined). */
  upload?: UploadProgress | undefined;
}

export interface LabSample {
  /** Seconds since the run started. */
  t: number;
  produced: number;
  received: number;
  consumed: number;
  buffered: number;
}

export interface SendSample {
  t: number;
  sent: number;
  written: number;
  serverConsumed: number;
  queued: number;
  isReady: boolean;
}

export interface LabView {
  mode: "server-stream" | "client-stream";
  /** "call.open()" when the SDK has the flow-control API, else "iterable fallback". */
  api: string;
  running: boolean;
  status: string;
  highWaterMark: number;
  consumerDelayMs: number;
  // receive side (server stream)
  produced: number;
  received: number;
  consumed: number;
  buffered: number;
  maxBuffered: number;
  /** The largest single read from the response body, in bytes (it may hold several messages). */
  maxReadBytes: number;
  /** Largest produced − consumed seen. */
  maxLag: number;
  serverWaiting: boolean;
  /** How many samples had the server's producer waiting for the transport. */
  serverWaitingSamples: number;
  samples: LabSample[];
  // send side (client stream)
  sent: number;
  written: number;
  serverConsumed: number;
  queued: number;
  maxQueued: number;
  /** Send side: the high-water mark in bytes, and the SDK's bytes queued (bufferedAmount). */
  sendHighWaterMark: number;
  bufferedAmount: number;
  maxBufferedAmount: number;
  /** "streaming", or "buffered" (all requests as one body on close). */
  requestMode: string;
  isReady: boolean;
  notReadyTransitions: number;
  sendSamples: SendSample[];
  error: ErrorView | undefined;
  result: unknown;
}

export interface PlaygroundState {
  ready: boolean;
  servers: Servers;
  server: ServerChoice;
  http: HttpChoice;
  customUrl: string;
  format: FormatChoice;
  /** Whether the HTTP/2 server answered (false: the browser rejected its certificate, or it is down). */
  h2Reachable: boolean | undefined;
  /** Whether this browser's fetch can stream a request body at all. */
  requestStreams: boolean;
  services: string[];
  selected: string | undefined;
  call: CallView | undefined;
  framesLogged: number;
  lab: LabView;
}

/** What a lab run measures, as it is before the run starts: shared by the page's start and each run's reset. */
export function labRunCounters() {
  return {
    produced: 0,
    received: 0,
    consumed: 0,
    buffered: 0,
    maxBuffered: 0,
    maxReadBytes: 0,
    maxLag: 0,
    serverWaiting: false,
    serverWaitingSamples: 0,
    samples: [],
    sent: 0,
    written: 0,
    serverConsumed: 0,
    queued: 0,
    maxQueued: 0,
    bufferedAmount: 0,
    maxBufferedAmount: 0,
    requestMode: "",
    isReady: true,
    notReadyTransitions: 0,
    sendSamples: [],
    error: undefined,
    result: undefined,
  } satisfies Partial<LabView>;
}

export const state: PlaygroundState = {
  ready: false,
  servers: { h1: "", h2: "" },
  server: "dubbo-js",
  http: "h1",
  customUrl: "",
  format: "json",
  h2Reachable: undefined,
  requestStreams: false,
  services: [],
  selected: undefined,
  call: undefined,
  framesLogged: 0,
  lab: {
    mode: "server-stream",
    api: "",
    highWaterMark: 4,
    consumerDelayMs: 20,
    sendHighWaterMark: 64 * 1024,
    ...labRunCounters(),
    running: false,
    status: "idle",
  },
};

declare global {
  interface Window {
    __playground: PlaygroundState;
  }
}
window.__playground = state;

/**
 * The base URL calls go to: the Java or Go server when chosen (over HTTP/1.1: Java through the
 * page's origin, Go directly), else the dubbo-js server over the chosen HTTP version.
 */
export function baseUrl(): string {
  const gateway = currentGateway();
  if (state.http === "wt" && gateway) return gateway.url.replace(/\/+$/, "");
  if (state.http === "ws" && gateway?.webSocketUrl) return gateway.webSocketUrl.replace(/\/+$/, "");
  if (state.server !== "dubbo-js") return directUrl(state.server);
  switch (state.http) {
    case "h1":
      return state.servers.h1;
    case "h2":
      return state.servers.h2;
    case "wt":
    case "ws":
      return "";
    case "custom":
      return state.customUrl.replace(/\/+$/, "");
  }
}

/** The gateway in front of the chosen server, if there is one. */
export function currentGateway(): GatewayInfo | undefined {
  return state.server === "dubbo-js" ? state.servers.wt : state.servers[state.server]?.gateway;
}

/** Whether calls go through the gateway (WebTransport or WebSocket) rather than straight over HTTP. */
export function viaGateway(): boolean {
  return (state.http === "wt" || state.http === "ws") && currentGateway() !== undefined;
}

/** The Java or Go server over plain HTTP: Java on the page's origin (its proxy), Go directly. */
export function directUrl(server: "java" | "go"): string {
  if (server === "java") return state.servers.java ? `${location.origin}${state.servers.java.path}` : "";
  return state.servers.go?.url ?? "";
}

type Listener = () => void;
const listeners = new Set<Listener>();

/** Calls `fn` whenever something announces a change of the connection settings or selection. */
export function onChange(fn: Listener): void {
  listeners.add(fn);
}

export function changed(): void {
  for (const fn of listeners) fn();
}
