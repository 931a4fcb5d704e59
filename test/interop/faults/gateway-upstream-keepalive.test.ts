// Two gateway faults on its WebSocket downstream and gRPC upstream, from Node (undici's WebSocket):
// - an upstream that goes silent mid-call (a network partition: a TCP relay between the gateway
//   and a loopback gRPC server stops forwarding) ends the call with Unavailable once the
//   gateway's keepalive PING goes unanswered, not at a deadline the call may not even have;
// - frames a client sends on a call the gateway has already ended open no new call under that id.

import { create, toBinary } from "@bufbuild/protobuf";
import { connect, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";
import { WebSocket } from "undici";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Code, createClient, TripleError } from "triple-es";
import { createWebSocketTransport, type WebSocketConstructor } from "triple-es/websocket";
import { InteropService, ServerStreamResponseSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { type GatewayChild, startGateway } from "../../gateway/gateway-process.js";
import { decodeWsFrame, encodeWsFrame, WS_DATA, WS_FIN } from "../../../src/transport/websocket-frames.js";
import { envelope } from "./fault-server.js";
import { grpcHead, type GrpcFaultServer, startGrpcFaultServer, writeAndWait } from "./grpc-fault-server.js";

const KEEPALIVE_MS = 300;

/** A TCP relay whose current connections can be frozen: nothing more passes either way, and nothing closes. */
async function startRelay(target: number): Promise<{ port: number; freeze(): void; close(): Promise<void> }> {
  const pairs = new Set<{ frozen: boolean; sockets: Socket[] }>();
  const server = createServer((down) => {
    const up = connect(target, "127.0.0.1");
    const pair = { frozen: false, sockets: [down, up] };
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) =>
      from.on("data", (b) => {
        if (!pair.frozen) to.write(b);
      });
    forward(down, up);
    forward(up, down);
    for (const s of pair.sockets) {
      s.on("error", () => {});
      s.on("close", () => {
        pairs.delete(pair);
        for (const o of pair.sockets) o.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    freeze: () => pairs.forEach((p) => (p.frozen = true)),
    close: async () => {
      pairs.forEach((p) => p.sockets.forEach((s) => s.destroy()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let server: GrpcFaultServer;
let relay: Awaited<ReturnType<typeof startRelay>>;
let gateway: GatewayChild;

beforeAll(async () => {
  const message = toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq: 0 }));
  server = await startGrpcFaultServer({
    // One message, then the call stays open with nothing more to say.
    async quiet({ stream }) {
      grpcHead(stream);
      await writeAndWait(stream, envelope(0, message));
    },
  });
  relay = await startRelay(Number(new URL(server.url).port));
  gateway = await startGateway([
    "--upstream", `http://127.0.0.1:${relay.port}`, "--upstream-protocol", "grpc", "--upstream-keepalive-ms", String(KEEPALIVE_MS),
    "--dev-cert", "--port", "0", "--ws-port", "0",
  ]);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await relay?.close();
  await server?.close();
});

it("an upstream that goes silent mid-call: the keepalive PING goes unanswered and the call ends with Unavailable", async () => {
  const transport = createWebSocketTransport({ url: gateway.webSocketUrl!, WebSocket: WebSocket as unknown as WebSocketConstructor });
  try {
    const client = createClient(InteropService, transport);
    // No deadline: only the keepalive can end this call.
    const it = client.serverStream({ count: 1 }, { headers: { "x-fault": "quiet" } })[Symbol.asyncIterator]();
    expect((await it.next()).value?.seq).toBe(0);
    relay.freeze();
    const t0 = performance.now();
    const err = await it.next().then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = Math.round(performance.now() - t0);
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.Unavailable);
    expect((err as TripleError).rawMessage).toMatch(/stopped answering/);
    const lines = gateway.stderr.filter((l) => l.includes("upstream 127.0.0.1"));
    // The PING's line carries the connection's state: here nothing held in the gateway (the relay holds it).
    expect(lines.some((l) => /; PING \(queued 0 frame\(s\), send window \d+ B, .*; stream \d+: recv window \d+ B, 0 B unread, 0 B unsent/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes("no answer to a PING"))).toBe(true);
    console.log(`[gateway keepalive] silent upstream → ${(err as TripleError).message} after ${ms} ms (keepalive ${KEEPALIVE_MS} ms)`);
  } finally {
    transport.close();
  }
}, 60_000);

it("frames sent on a call the gateway already ended open no new call under its id", async () => {
  const ws = new WebSocket(gateway.webSocketUrl!);
  ws.binaryType = "arraybuffer";
  /** [call id, type] of every binary frame the gateway sent, in order. */
  const seen: [number, number][] = [];
  const fins = new Map<number, () => void>();
  ws.addEventListener("message", (e) => {
    if (!(e.data instanceof ArrayBuffer)) return; // the hello
    const { id, type } = decodeWsFrame(e.data)!;
    seen.push([id, type]);
    if (type === WS_FIN) fins.get(id)?.();
  });
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve);
    ws.addEventListener("error", reject);
  });
  const finOf = (id: number) => new Promise<void>((resolve) => fins.set(id, resolve));
  // A server stream with a fault the server does not know: it answers Unimplemented at once.
  const call = (id: number) => {
    const head = new TextEncoder().encode(JSON.stringify({
      v: 1, path: "/triple.interop.v1.InteropService/ServerStream", headers: { "content-type": "application/connect+proto", "x-fault": "none" },
    }));
    ws.send(encodeWsFrame(id, WS_DATA, envelope(0, head)));
    ws.send(encodeWsFrame(id, WS_DATA, envelope(0, new Uint8Array())));
    ws.send(encodeWsFrame(id, WS_DATA, envelope(2, new TextEncoder().encode("{}"))));
  };
  try {
    const ended1 = finOf(1);
    call(1);
    await ended1;
    // Late frames of call 1 (a client that had not seen the end yet): DATA, then FIN.
    ws.send(encodeWsFrame(1, WS_DATA, envelope(2, new TextEncoder().encode("{}"))));
    ws.send(encodeWsFrame(1, WS_FIN));
    const ended2 = finOf(2);
    call(2);
    await ended2;
    const afterFirstFin = seen.slice(seen.findIndex(([id, type]) => id === 1 && type === WS_FIN) + 1);
    expect(afterFirstFin.filter(([id]) => id === 1)).toEqual([]);
    expect(afterFirstFin.some(([id]) => id === 2)).toBe(true);
    // One log line for call 1: the call itself, no second one opened by its late frames.
    const session = /websocket (w\d+) opened/.exec(gateway.stderr.filter((l) => l.includes("websocket w")).at(-1) ?? "")?.[1];
    expect(gateway.stderr.filter((l) => l.includes(` call ${session}/1 `))).toHaveLength(1);
  } finally {
    ws.close();
  }
}, 60_000);
