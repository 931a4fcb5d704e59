import type { RuntimeCapabilities } from "../capabilities.js";
import { bidiRefusedOverHttp1, noWebTransport, ok, goOverHttp, javaOverHttp } from "../capabilities.js";

/** Cloudflare workerd: outbound fetch through an `internet` network service, HTTP/1.1. */
export const workerd: RuntimeCapabilities = {
  runtime: "workerd",
  label: "Cloudflare Workers (workerd)",
  receiveBacklogMiB: 24,
  servers: { java: javaOverHttp, go: goOverHttp },
  transports: {
    h1: { unary: ok, serverStream: ok, clientStream: ok, bidi: bidiRefusedOverHttp1 },
    wt: noWebTransport("Workers have no WebTransport"),
  },
  unavailable: { h2: "workerd's outbound fetch speaks HTTP/1.1" },
};
