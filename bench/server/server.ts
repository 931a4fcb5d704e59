// The benchmark server. bench/lib/build.mjs bundles it with esbuild, resolving the dubbo-js
// packages and protobuf-es v1 from test/peers/dubbo/node_modules (the interop tests' real server
// install), so it runs the same @apachedubbo/dubbo-node 3.0.0-alpha code as the interop tests.
//
// Listeners, all on 127.0.0.1 with ephemeral ports, printed as one JSON line on stdout:
//   dubboH1, dubboH2c  the real dubbo-node adapter serving triple.bench.v1.BenchService
//   preH1, preH2c      the "pre-encoded producer": ServerStream only, written straight to
//                      node:http from one pre-encoded batch of envelopes, so the client is the
//                      bottleneck (the dubbo-node handler caps small messages at ~125k msgs/s)
//   control            the side channel: GET /stats?id=<stream_id> → {"produced":n,"finished":b}
//                      (messages each stream's producer has yielded so far)
// SIGTERM / SIGINT close everything.

import * as http from "node:http";
import * as http2 from "node:http2";
import type { Socket } from "node:net";

import type { DubboRouter, ServiceImpl } from "@apachedubbo/dubbo";
import { dubboNodeAdapter } from "@apachedubbo/dubbo-node";

import { BenchService } from "../gen/v1/triple/bench/v1/bench_dubbo.js";
import { Payload, StreamRequest, SumResponse } from "../gen/v1/triple/bench/v1/bench_pb.js";

const HOST = "127.0.0.1";

// ---------------------------------------------------------------------------------------------
// Producer counts, by stream_id.

interface Stats {
  produced: number;
  finished: boolean;
}
const stats = new Map<string, Stats>();
const MAX_STATS = 1000;

function statsFor(id: string): Stats {
  const s: Stats = { produced: 0, finished: false };
  if (id === "") return s;
  stats.delete(id);
  stats.set(id, s);
  if (stats.size > MAX_STATS) stats.delete(stats.keys().next().value as string);
  return s;
}

function payloadOf(size: number): Uint8Array {
  const p = new Uint8Array(size);
  for (let i = 0; i < size; i++) p[i] = i & 0xff;
  return p;
}

// ---------------------------------------------------------------------------------------------
// The service on the real dubbo-node adapter.

const impl: ServiceImpl<typeof BenchService> = {
  unary(req) {
    return new Payload({ payload: req.payload });
  },
  async *serverStream(req) {
    const s = statsFor(req.streamId);
    // One buffer and one message object for the whole stream: the server should cost as little
    // per message as dubbo-node allows.
    const message = new Payload({ payload: payloadOf(req.size) });
    try {
      for (let i = 0; i < req.count; i++) {
        s.produced++;
        yield message;
      }
    } finally {
      s.finished = true;
    }
  },
  async clientStream(requests) {
    let count = 0n;
    let bytes = 0n;
    for await (const m of requests) {
      count++;
      bytes += BigInt(m.payload.byteLength);
    }
    return new SumResponse({ count, bytes });
  },
  async *bidiStream(requests) {
    for await (const m of requests) yield new Payload({ payload: m.payload });
  },
};

const dubbo = dubboNodeAdapter({
  routes(router: DubboRouter) {
    router.service(BenchService, impl);
  },
});

// ---------------------------------------------------------------------------------------------
// The pre-encoded producer.

const SERVER_STREAM_PATH = `/${BenchService.typeName}/${BenchService.methods.serverStream.name}`;
const BATCH_BYTES = 64 * 1024;
const END_STREAM_OK = envelope(0x02, new TextEncoder().encode("{}"));

function envelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.byteLength);
  out.set(data, 5);
  return out;
}

function unenvelope(body: Buffer): Uint8Array {
  if (body.byteLength < 5 || body[0] !== 0) throw new Error("expected one uncompressed envelope");
  const len = body.readUInt32BE(1);
  if (body.byteLength !== 5 + len) throw new Error("expected exactly one envelope");
  return body.subarray(5);
}

/** One batch of `n` copies of the same envelope, about BATCH_BYTES long (at least one envelope). */
function batchOf(one: Uint8Array, n: number): Buffer {
  const out = Buffer.allocUnsafe(one.byteLength * n);
  for (let i = 0; i < n; i++) out.set(one, i * one.byteLength);
  return out;
}

type AnyRequest = http.IncomingMessage | http2.Http2ServerRequest;
type AnyResponse = http.ServerResponse | http2.Http2ServerResponse;

function preEncoded(req: AnyRequest, res: AnyResponse): void {
  if (req.method !== "POST" || req.url !== SERVER_STREAM_PATH) {
    res.writeHead(404).end();
    return;
  }
  const chunks: Buffer[] = [];
  req.on("data", (c: Buffer) => chunks.push(c));
  req.on("end", () => {
    let r: StreamRequest;
    try {
      r = StreamRequest.fromBinary(unenvelope(Buffer.concat(chunks)));
    } catch (e) {
      res.writeHead(400, { "content-type": "application/json" });
      res.end(JSON.stringify({ status: 3, message: String(e) }));
      return;
    }
    const s = statsFor(r.streamId);
    const one = envelope(0, new Payload({ payload: payloadOf(r.size) }).toBinary());
    const perBatch = Math.max(1, Math.floor(BATCH_BYTES / one.byteLength));
    const batch = batchOf(one, perBatch);
    res.writeHead(200, { "content-type": "application/connect+proto" });
    let left = r.count;
    let closed = false;
    res.once("close", () => {
      closed = true;
    });
    const pump = () => {
      while (left > 0 && !closed) {
        const n = Math.min(left, perBatch);
        left -= n;
        s.produced += n;
        const ok = n === perBatch ? res.write(batch) : res.write(batch.subarray(0, n * one.byteLength));
        if (!ok) {
          res.once("drain", pump);
          return;
        }
      }
      if (!closed) res.end(END_STREAM_OK);
      s.finished = true;
    };
    pump();
  });
}

// ---------------------------------------------------------------------------------------------
// The side channel.

function control(req: http.IncomingMessage, res: http.ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://x");
  if (url.pathname === "/stats") {
    const s = stats.get(url.searchParams.get("id") ?? "");
    res.writeHead(s ? 200 : 404, { "content-type": "application/json" });
    res.end(JSON.stringify(s ?? { produced: -1, finished: false }));
    return;
  }
  if (url.pathname === "/health") {
    res.writeHead(200).end("ok");
    return;
  }
  res.writeHead(404).end();
}

// ---------------------------------------------------------------------------------------------
// Listeners.

type AnyServer = http.Server | http2.Http2Server;
const sockets = new Set<Socket>();

function listen(server: AnyServer): Promise<string> {
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const addr = server.address();
      resolve(`http://${HOST}:${typeof addr === "object" && addr ? addr.port : 0}`);
    });
  });
}

async function main(): Promise<void> {
  const asNode = (fn: (req: AnyRequest, res: AnyResponse) => void) => fn as (req: http.IncomingMessage, res: http.ServerResponse) => void;
  const servers: AnyServer[] = [
    http.createServer(asNode(dubbo as (req: AnyRequest, res: AnyResponse) => void)),
    http2.createServer(dubbo as unknown as (req: http2.Http2ServerRequest, res: http2.Http2ServerResponse) => void),
    http.createServer(asNode(preEncoded)),
    http2.createServer(preEncoded),
    http.createServer(control),
  ];
  const [dubboH1, dubboH2c, preH1, preH2c, ctl] = await Promise.all(servers.map(listen));
  const stop = () => {
    for (const s of servers) s.close();
    for (const socket of sockets) socket.destroy();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
  process.stdout.write(JSON.stringify({ dubboH1, dubboH2c, preH1, preH2c, control: ctl, pid: process.pid }) + "\n");
}

process.on("unhandledRejection", (reason) => {
  process.stderr.write(`bench server: unhandled rejection: ${String(reason)}\n`);
});

main().catch((err: unknown) => {
  process.stderr.write(`bench server: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
