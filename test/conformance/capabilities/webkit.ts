import { Code } from "triple-es";
import type { RuntimeCapabilities, TransportCapabilities, Unsupported } from "../capabilities.js";
import { goOverHttp, javaOverHttp, noWebTransport, ok, serversViaGateway, serversWithoutWebTransport } from "../capabilities.js";

/**
 * WebKit's fetch rejects a ReadableStream request body (`NotSupportedError`: "ReadableStream
 * uploading is not supported") although the usual feature probe says it streams; triple-es
 * recognises that refusal and refuses bidi.
 */
const bidiNeedsStreamingBody: Unsupported = {
  supported: false,
  code: Code.Unimplemented,
  message: "bidi streaming needs a streaming request body, and this transport cannot stream one",
  why: "WebKit cannot stream request bodies",
};

/** Over either HTTP version: no streaming request body, so client streams go as one body. */
const fetchTransport: TransportCapabilities = {
  unary: ok,
  serverStream: ok,
  clientStream: { supported: true, upload: "buffered", note: "requests sent as one body on close" },
  bidi: bidiNeedsStreamingBody,
  note: "no receive backpressure: fetch reads a whole response ahead of a paused consumer",
};

/** Debian's WebKitGTK (the engine of Safari) over W3C WebDriver (test/runtimes/webkit.test.ts). */
export const webkit: RuntimeCapabilities = {
  runtime: "webkit",
  label: "WebKitGTK 2.50",
  // fetch reads a whole response ahead of the page, `Cache-Control: no-store` or not (README).
  receiveBacklogMiB: "unbounded",
  servers: {
    java: {
      ...javaOverHttp,
      note: "through a same-origin proxy: Java 3.3 answers no CORS preflight, so a cross-origin call fails",
    },
    go: goOverHttp,
  },
  transports: {
    h1: fetchTransport,
    h2: fetchTransport,
    wt: noWebTransport("WebKitGTK 2.50 has no WebTransport"),
    // The way in without WebTransport: credits in-band hold the server back (fetch cannot).
    ws: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" }, receiveBacklogMiB: 16 },
  },
  viaGateway: { wt: serversWithoutWebTransport("WebKitGTK 2.50 has no WebTransport"), ws: serversViaGateway },
};
