import type { RuntimeCapabilities } from "../capabilities.js";
import { bidiRefusedOverHttp1, ok, goOverHttp, javaOverHttp, serversViaGateway } from "../capabilities.js";

/**
 * Deno 2.9: fetch over HTTP/1.1; over TLS it negotiates HTTP/2 (createHttpClient trusts the test CA);
 * WebTransport with --unstable-net.
 */
export const deno: RuntimeCapabilities = {
  runtime: "deno",
  label: "Deno 2.9",
  receiveBacklogMiB: 24,
  servers: { java: javaOverHttp, go: goOverHttp },
  transports: {
    h1: { unary: ok, serverStream: ok, clientStream: ok, bidi: bidiRefusedOverHttp1 },
    h2: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" } },
    // Deno's WebTransport class (--unstable-net) sends no FIN and no RESET_STREAM and frees streams
    // only on GC: the transport half-closes with an end frame, cancels with a cancel frame, and
    // opens a fresh session when one runs out of stream credit (docs/webtransport.md).
    wt: {
      unary: ok,
      serverStream: ok,
      clientStream: ok,
      bidi: { supported: true, duplex: "full" },
      receiveBacklogMiB: 16,
      note: "needs --unstable-net; end and cancel frames instead of FIN and resets, a fresh session when one runs out of stream credit",
    },
    ws: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" }, receiveBacklogMiB: 16 },
  },
  viaGateway: { wt: serversViaGateway, ws: serversViaGateway },
};
