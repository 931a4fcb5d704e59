import { Code } from "triple-es";
import type { RuntimeCapabilities, TransportCapabilities, Unsupported } from "../capabilities.js";
import { goOverHttp, javaOverHttp, ok, serversViaGateway } from "../capabilities.js";

/**
 * Firefox cannot stream a request body (its fetch turns a ReadableStream into the text
 * "[object ReadableStream]"); triple-es sees that before sending and refuses bidi.
 */
const bidiNeedsStreamingBody: Unsupported = {
  supported: false,
  code: Code.Unimplemented,
  message: "bidi streaming needs a streaming request body, and this transport cannot stream one",
  why: "Firefox cannot stream request bodies",
};

/** Over either HTTP version: no streaming request body, so client streams go as one body. */
const fetchTransport: TransportCapabilities = {
  unary: ok,
  serverStream: ok,
  clientStream: { supported: true, upload: "buffered", note: "requests sent as one body on close" },
  bidi: bidiNeedsStreamingBody,
  note: "no receive backpressure: fetch reads a whole response ahead of a paused consumer",
};

/** Why a unary call's Canceled or DeadlineExceeded from the server never reaches the caller over HTTP/2. */
const lostOverHttp2 = "dubbo-js answers those with HTTP 408, which Firefox over HTTP/2 turns into a network error";

/** Debian's Firefox ESR over WebDriver BiDi (test/runtimes/firefox.test.ts): fetch over HTTP/1.1 and HTTP/2 (TLS); WebTransport. */
export const firefox: RuntimeCapabilities = {
  runtime: "firefox",
  label: "Firefox ESR",
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
    h2: {
      ...fetchTransport,
      // Seen with every run: the answer never reaches the page, fetch rejects ("NetworkError when
      // attempting to fetch resource"), and the user gets Unavailable.
      codesLost: [
        { code: Code.Canceled, arrivesAs: Code.Unavailable, why: lostOverHttp2 },
        { code: Code.DeadlineExceeded, arrivesAs: Code.Unavailable, why: lostOverHttp2 },
      ],
      note: `${fetchTransport.note}; a unary Canceled or DeadlineExceeded sent by the server arrives as Unavailable (${lostOverHttp2})`,
    },
    wt: {
      unary: ok,
      serverStream: ok,
      clientStream: ok,
      bidi: { supported: true, duplex: "full" },
      receiveBacklogMiB: 16,
    },
    // Credits in-band: the gateway sends no more than the call granted (16 messages by default).
    ws: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" }, receiveBacklogMiB: 16 },
  },
  viaGateway: { wt: serversViaGateway, ws: serversViaGateway },
};
