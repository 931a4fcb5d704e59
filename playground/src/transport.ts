// The transports the page calls with: the SDK's fetch transport, JSON or binary, in the chosen
// server's dialect (dubbo-js, Dubbo Java, dubbo-go), with the inspecting fetch underneath so the
// frame log sees every frame; or, for the gateway's URL, the SDK's WebTransport transport (one
// session per format, reused by every call), watched the same way.

import { createFetchTransport, createWebTransportTransport, type Transport, type WebTransportTransport } from "triple-es";
import { json } from "triple-es/json";
import { typeRegistry } from "./descriptors.js";
import { inspectingFetch, inspectingTransport, type ChunkListener, type FrameListener } from "./inspect-fetch.js";
import { servers } from "./servers.js";
import { state, type FormatChoice, type ServerChoice } from "./state.js";

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

export function makeTransport(choice: TransportChoice): Transport {
  const wt = state.servers.wt;
  if (wt !== undefined && choice.baseUrl.replace(/\/+$/, "") === wt.url.replace(/\/+$/, "")) {
    const inner = webTransport(wt.url, wt.certSha256, choice.format);
    return choice.onFrame ? inspectingTransport(inner, choice.onFrame, choice.onChunk) : inner;
  }
  const protocol = servers[choice.server ?? state.server].protocol;
  return createFetchTransport({
    baseUrl: choice.baseUrl,
    ...(protocol ? { protocol: protocol() } : {}),
    format: choice.format === "json" ? json({ registry: typeRegistry() }) : "binary",
    ...(choice.onFrame ? { fetch: inspectingFetch(choice.onFrame, choice.onChunk) } : {}),
  });
}
