import { Code } from "triple-es";
import type { RuntimeCapabilities, Unsupported } from "../capabilities.js";
import { goOverHttp, javaOverHttp, ok, serversViaGateway } from "../capabilities.js";

/**
 * Chromium refuses a streaming request body over HTTP/1.1 (`TypeError: Failed to fetch`,
 * net::ERR_ALPN_NEGOTIATION_FAILED); triple-es detects that and says so.
 */
const bidiNeedsHttp2: Unsupported = {
  supported: false,
  code: Code.Unimplemented,
  message: "bidi streaming needs a streaming request body, and this transport cannot stream one",
  why: "Chromium streams request bodies only over HTTP/2",
};

/** Debian's Chromium (vitest browser mode): fetch over HTTP/1.1 and HTTP/2 (TLS); WebTransport. */
export const chromium: RuntimeCapabilities = {
  runtime: "chromium",
  label: "Chromium",
  // Chromium's fetch reads about 64 MiB of a response body ahead of the reader (seen with and
  // without DevTools attached), plus socket buffers.
  receiveBacklogMiB: 96,
  servers: {
    java: {
      ...javaOverHttp,
      note: "through a same-origin proxy: Java 3.3 answers no CORS preflight, so a cross-origin call fails",
    },
    go: goOverHttp,
  },
  transports: {
    h1: {
      unary: ok,
      serverStream: ok,
      clientStream: { supported: true, upload: "buffered", note: "requests sent as one body on close" },
      bidi: bidiNeedsHttp2,
    },
    h2: {
      unary: ok,
      serverStream: ok,
      clientStream: ok,
      bidi: { supported: true, duplex: "half", note: "responses arrive after the request stream ends" },
    },
    wt: {
      unary: ok,
      serverStream: ok,
      clientStream: ok,
      bidi: { supported: true, duplex: "full" },
      // QUIC flow control, one message in the gateway, HTTP/2 windows: no 64 MiB read-ahead.
      receiveBacklogMiB: 16,
    },
    // Credits in-band: the gateway sends no more than the call granted (16 messages by default).
    ws: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" }, receiveBacklogMiB: 16 },
  },
  viaGateway: { wt: serversViaGateway, ws: serversViaGateway },
};
