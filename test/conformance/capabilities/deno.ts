import type { RuntimeCapabilities } from "../capabilities.js";
import { bidiRefusedOverHttp1, ok } from "../capabilities.js";

/** Deno 2.9: fetch over HTTP/1.1; over TLS it negotiates HTTP/2 (createHttpClient trusts the test CA). */
export const deno: RuntimeCapabilities = {
  runtime: "deno",
  label: "Deno 2.9",
  receiveBacklogMiB: 24,
  transports: {
    h1: { unary: ok, serverStream: ok, clientStream: ok, bidi: bidiRefusedOverHttp1 },
    h2: { unary: ok, serverStream: ok, clientStream: ok, bidi: { supported: true, duplex: "full" } },
  },
};
