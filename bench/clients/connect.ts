// @connectrpc/connect-web 2.x with its Connect transport (binary), against the same dubbo-js
// server: the dubbo-js Triple dialect is Connect's protocol with a TRI-Protocol-Version header
// (which dubbo-node requires), so one interceptor adds it. Protobuf-es v2 is connect's own copy
// in bench/node_modules. connect-web has no client streaming over fetch: those rows are n/a.

import { createClient, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { BenchService } from "../gen/v2/triple/bench/v1/bench_pb.js";
import { CamelInteropService, InteropService } from "../../test/gen/triple/interop/v1/interop_pb.js";
import { main, Unsupported, type BenchClient, type BenchServer } from "./harness.js";

const triVersion: Interceptor = (next) => (req) => {
  req.header.set("tri-protocol-version", "1.0.0");
  return next(req);
};

/**
 * Against the Java peer: Connect's unary JSON is the same POST of a bare JSON message that Dubbo
 * Java 3.3 serves; its server streams are SSE, which Connect cannot read. Against the Go peer:
 * dubbo-go's unary is Connect's (binary).
 */
function peerClient(baseUrl: string, server: "java" | "go"): BenchClient {
  if (server === "java") {
    const java = createClient(CamelInteropService, createConnectTransport({ baseUrl, useBinaryFormat: false, interceptors: [triVersion] }));
    return {
      async unary(payload) {
        return (await java.unary({ payload })).payload.byteLength;
      },
      serverStream() {
        throw new Unsupported("connect-web cannot read Dubbo Java's SSE streams");
      },
    };
  }
  const go = createClient(InteropService, createConnectTransport({ baseUrl, useBinaryFormat: true, interceptors: [triVersion] }));
  return {
    async unary(payload) {
      return (await go.unary({ payload })).payload.byteLength;
    },
    serverStream() {
      throw new Unsupported("dubbo-go serves no streams over HTTP/1.1 fetch");
    },
  };
}

function makeClient(baseUrl: string, server: BenchServer): BenchClient {
  if (server === "java" || server === "go") return peerClient(baseUrl, server);
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
