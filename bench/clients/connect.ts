// @connectrpc/connect-web 2.x with its Connect transport (binary), against the same dubbo-js
// server: the dubbo-js Triple dialect is Connect's protocol with a TRI-Protocol-Version header
// (which dubbo-node requires), so one interceptor adds it. Protobuf-es v2 is connect's own copy
// in bench/node_modules. connect-web has no client streaming over fetch: those rows are n/a.

import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { BenchService } from "../gen/v2/triple/bench/v1/bench_pb.js";
import { main, type BenchClient } from "./harness.js";

const triVersion: Interceptor = (next) => (req) => {
  req.header.set("tri-protocol-version", "1.0.0");
  return next(req);
};

function makeClient(baseUrl: string): BenchClient {
  const client = createClient(
    BenchService,
    createConnectTransport({ baseUrl, useBinaryFormat: true, interceptors: [triVersion] }),
  );
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
