import type { RuntimeCapabilities } from "../capabilities.js";
import { bidiRefusedOverHttp1, noWebTransport, ok, goOverHttp, javaOverHttp } from "../capabilities.js";

/** Bun 1.4: fetch speaks HTTP/1.1 only. */
export const bun: RuntimeCapabilities = {
  runtime: "bun",
  label: "Bun 1.4",
  receiveBacklogMiB: 24,
  servers: { java: javaOverHttp, go: goOverHttp },
  transports: {
    h1: { unary: ok, serverStream: ok, clientStream: ok, bidi: bidiRefusedOverHttp1 },
    wt: noWebTransport("Bun has no WebTransport"),
  },
  unavailable: { h2: "Bun's fetch speaks HTTP/1.1 only" },
};
