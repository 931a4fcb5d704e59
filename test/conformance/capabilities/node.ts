import type { RuntimeCapabilities } from "../capabilities.js";
import { bidiRefusedOverHttp1, noWebTransport, ok, goOverHttp, javaOverHttp } from "../capabilities.js";

/** Node 20: the global fetch (undici) over HTTP/1.1; undici's fetch with `allowH2` over TLS. */
export const node: RuntimeCapabilities = {
  runtime: "node",
  label: "Node 20 (undici fetch)",
  receiveBacklogMiB: 24,
  servers: { java: javaOverHttp, go: goOverHttp },
  transports: {
    h1: { unary: ok, serverStream: ok, clientStream: ok, bidi: bidiRefusedOverHttp1 },
    h2: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" } },
    wt: noWebTransport("Node has no WebTransport"),
  },
};
