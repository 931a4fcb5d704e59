// @apachedubbo/dubbo-web 3.0.0-alpha (its Triple transport, binary) with protobuf-es v1 from
// bench/peers/dubbo-web/node_modules. No client streaming over fetch: those rows are n/a.

import { createPromiseClient } from "@apachedubbo/dubbo";
import { createDubboTransport } from "@apachedubbo/dubbo-web";
import { BenchService } from "../gen/v1/triple/bench/v1/bench_dubbo.js";
import { main, Unsupported, type BenchServer, type BenchClient } from "./harness.js";

function makeClient(baseUrl: string, server: BenchServer): BenchClient {
  // The Java and Go rows would need protobuf-es v1 code for the interop protos: not measured.
  if (server === "java" || server === "go") throw new Unsupported(`dubbo-web is not measured against the ${server} peer`);
  const client = createPromiseClient(BenchService, createDubboTransport({ baseUrl, useBinaryFormat: true }));
  return {
    async unary(payload) {
      const res = await client.unary({ payload });
      return res.payload.byteLength;
    },
    async serverStream(req, onMessage) {
      for await (const m of client.serverStream(req)) {
        const p = onMessage(m.payload.byteLength);
        if (p) await p;
      }
    },
  };
}

void main(makeClient);
