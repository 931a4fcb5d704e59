// What this browser can do with each call kind over each HTTP version, detected where possible,
// with the reason when a combination cannot work.

import type { DescMethod } from "@bufbuild/protobuf";
import { createFetchTransport } from "triple-es";
import { state, type HttpChoice } from "./state.js";

/**
 * Whether this SDK build sends a client stream as one buffered body where the browser refuses to
 * stream it: it does for every transport over fetch (it detects the refusal per origin).
 */
export const sdkBuffersClientStreams: boolean = createFetchTransport({ baseUrl: "http://127.0.0.1" }).requestStreaming === "fetch";

/**
 * Whether fetch accepts a ReadableStream request body (`duplex: "half"`). A browser that supports
 * it reads the `duplex` option and does not turn the stream into a text body with a Content-Type.
 */
export function detectRequestStreams(): boolean {
  let duplexRead = false;
  try {
    const hasContentType = new Request("http://127.0.0.1/", {
      method: "POST",
      body: new ReadableStream(),
      get duplex() {
        duplexRead = true;
        return "half";
      },
    } as RequestInit).headers.has("content-type");
    return duplexRead && !hasContentType;
  } catch {
    return false;
  }
}

/**
 * How long the HTTP/2 probe may take. An absent server refuses at once; this only bounds one that
 * hangs, and a first TLS handshake to a dev server on a busy machine took over 4 s (the old value).
 */
const PROBE_TIMEOUT_MS = 20_000;

/** Whether the HTTP/2 server answers: false when the browser rejects its self-signed certificate. */
export async function probe(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/__playground/ping`, { cache: "no-store", signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    return res.ok;
  } catch {
    return false;
  }
}

export interface Support {
  ok: boolean;
  /** "works", "half duplex", … */
  label: string;
  why: string;
}

/** Over WebTransport (the gateway, gateway/): every kind, both directions streaming at once. */
function webTransportSupport(kind: DescMethod["methodKind"]): Support {
  if (typeof (globalThis as { WebTransport?: unknown }).WebTransport !== "function") {
    return { ok: false, label: "no WebTransport", why: "This browser has no WebTransport (WebKitGTK, Safari before 26.4); use the WebSocket path, or Chromium, Edge, Firefox or Safari 26.4+." };
  }
  if (!state.servers.wt) {
    return { ok: false, label: "no gateway", why: "npm start could not start the WebTransport gateway (it needs Deno from npm install); see its output." };
  }
  switch (kind) {
    case "bidi_streaming":
      return { ok: true, label: "full duplex", why: "Each reply arrives as soon as the server sends it, while you keep sending: one QUIC stream per call through the gateway." };
    case "client_streaming":
      return { ok: true, label: "works", why: "Requests stream as you send; isReady follows QUIC flow control (a slow server makes it false)." };
    case "server_streaming":
      return { ok: true, label: "works", why: "Responses are read only as the page pulls; QUIC flow control stops the gateway, HTTP/2 flow control the server." };
    default:
      return { ok: true, label: "works", why: "One request, one response, on a stream of the shared session." };
  }
}

const H1_UPLOAD =
  "Chromium streams a request body only over HTTP/2: over HTTP/1.1 fetch fails (net::ERR_ALPN_NEGOTIATION_FAILED).";

/** Whether `kind` can run over `http` in this browser, and why. */
/** Over a WebSocket (the gateway's --ws-port): every kind, with in-band flow control. */
function webSocketSupport(kind: DescMethod["methodKind"]): Support {
  if (!state.servers.wt?.webSocketUrl) {
    return { ok: false, label: "no gateway", why: "npm start could not start the gateway (it needs Deno from npm install); see its output." };
  }
  if (kind === "bidi_streaming") {
    return { ok: true, label: "full duplex", why: "Each reply arrives while you keep sending: the calls share one WebSocket to the gateway, which calls the HTTP/2 server." };
  }
  return {
    ok: true,
    label: "works",
    why: "A WebSocket cannot be paused by a page, so the call grants the gateway credits as it reads and the gateway grants a send window: both directions stay bounded.",
  };
}

export function support(kind: DescMethod["methodKind"], http: HttpChoice): Support {
  if (http === "wt") return webTransportSupport(kind);
  if (http === "ws") return webSocketSupport(kind);
  const h2Blocked =
    http === "h2" && state.h2Reachable === false
      ? "The browser has not accepted the HTTP/2 server's self-signed certificate yet (see the link above)."
      : "";
  if (h2Blocked) return { ok: false, label: "certificate", why: h2Blocked };
  const streamsUp = kind === "client_streaming" || kind === "bidi_streaming";
  if (kind === "client_streaming" && sdkBuffersClientStreams && (http === "h1" || !state.requestStreams)) {
    return {
      ok: true,
      label: "buffered",
      why:
        (state.requestStreams ? H1_UPLOAD : "This browser cannot stream a request body. ") +
        " The SDK notices and sends all requests as one body when you press Close: the call works, without send-side backpressure.",
    };
  }
  if (streamsUp && !state.requestStreams) {
    return {
      ok: false,
      label: "no upload streams",
      why: "This browser's fetch cannot stream a request body at all (Firefox and Safari today); client and bidi streams need Chromium over HTTP/2.",
    };
  }
  if (http === "h1" && kind === "client_streaming") return { ok: false, label: "needs HTTP/2", why: H1_UPLOAD };
  if (http === "h1" && kind === "bidi_streaming") {
    return { ok: false, label: "needs HTTP/2", why: `${H1_UPLOAD} dubbo-js also answers 505 to bidi over HTTP/1.1.` };
  }
  if (kind === "bidi_streaming") {
    return {
      ok: true,
      label: "half duplex",
      why: "Works, but half duplex: the Fetch spec gives the response to the page only after the request body is closed, so replies arrive after you press Close. Full duplex needs WebTransport.",
    };
  }
  if (kind === "server_streaming") {
    return {
      ok: true,
      label: "works",
      why: "Responses are read only as the page pulls them; a slow reader makes the server wait (TCP or HTTP/2 flow control).",
    };
  }
  if (kind === "client_streaming") {
    return { ok: true, label: "works", why: "The request body streams; the one response comes after Close." };
  }
  return { ok: true, label: "works", why: "One request, one response." };
}
