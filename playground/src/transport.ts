// The transports the page calls with: the SDK's fetch transport, JSON or binary, in the chosen
// server's dialect (dubbo-js, Dubbo Java, dubbo-go), with the inspecting fetch underneath so the
// frame log sees every frame; or, for a gateway's URL, the SDK's WebTransport or WebSocket
// transport (one session per gateway and format, reused by every call), watched the same way.

import { createFetchTransport, createWebTransportTransport, type Transport, type WebTransportTransport } from "triple-es";
import { json } from "triple-es/json";
import { createWebSocketTransport, type WebSocketTransport } from "triple-es/websocket";
import { typeRegistry } from "./descriptors.js";
import { inspectingFetch, inspectingTransport, type ChunkListener, type FrameListener } from "./inspect-fetch.js";
import { servers } from "./servers.js";
import { state, type FormatChoice, type GatewayInfo, type ServerChoice } from "./state.js";

export interface TransportChoice {
  baseUrl: string;
  format: FormatChoice;
  /** Whose dialect to speak (default: the server chosen on the page). */
  server?: ServerChoice;
  onFrame?: FrameListener;
  onChunk?: ChunkListener;
}

/** The page's WebTransport transports, one per gateway and format: each keeps its session open. */
const webTransports = new Map<string, WebTransportTransport>();

function webTransport(url: string, certSha256: string, format: FormatChoice): WebTransportTransport {
  const key = `${url} ${certSha256} ${format}`;
  let t = webTransports.get(key);
  if (t === undefined) {
    t = createWebTransportTransport({
      url,
      serverCertificateHashes: [{ algorithm: "sha-256", value: certSha256 }],
      format: format === "json" ? json({ registry: typeRegistry() }) : "binary",
    });
    webTransports.set(key, t);
  }
  return t;
}

/** The page's WebSocket transports, one per gateway and format. */
const webSockets = new Map<string, WebSocketTransport>();

function webSocket(url: string, format: FormatChoice): WebSocketTransport {
  const key = `${url} ${format}`;
  let t = webSockets.get(key);
  if (t === undefined) {
    t = createWebSocketTransport({ url, format: format === "json" ? json({ registry: typeRegistry() }) : "binary" });
    webSockets.set(key, t);
  }
  return t;
}

/** Every gateway the page knows (dubbo-js's, and the Java and Go servers'). */
function gateways(): GatewayInfo[] {
  return [state.servers.wt, state.servers.java?.gateway, state.servers.go?.gateway].filter((g) => g !== undefined);
}

const same = (a: string, b: string) => a.replace(/\/+$/, "") === b.replace(/\/+$/, "");

export function makeTransport(choice: TransportChoice): Transport {
  // Through a gateway the page speaks the Triple mapping, whatever the server: no dialect.
  for (const g of gateways()) {
    let inner: Transport | undefined;
    if (same(choice.baseUrl, g.url)) inner = webTransport(g.url, g.certSha256, choice.format);
    else if (g.webSocketUrl !== undefined && same(choice.baseUrl, g.webSocketUrl)) inner = webSocket(g.webSocketUrl, choice.format);
    if (inner !== undefined) return choice.onFrame ? inspectingTransport(inner, choice.onFrame, choice.onChunk) : inner;
  }
  const protocol = servers[choice.server ?? state.server].protocol;
  return createFetchTransport({
    baseUrl: choice.baseUrl,
    ...(protocol ? { protocol: protocol() } : {}),
    format: choice.format === "json" ? json({ registry: typeRegistry() }) : "binary",
    ...(choice.onFrame ? { fetch: inspectingFetch(choice.onFrame, choice.onChunk) } : {}),
  });
}
