// The fault suite through the gateway, where it applies: the SDK in Deno over WebTransport and
// WebSocket (deno/gateway-faults.ts) → the gateway (--upstream-protocol grpc) → a gRPC server on
// loopback that misbehaves on purpose (grpc-fault-server.ts), seeded. Envelopes split at random
// points, random corruption of prefixes and flags, a length of 2^32−1 while the server keeps
// writing, a reset mid-stream, one byte every 200 ms against a deadline, 200 calls aborted at
// random points (one after another, then all at once); then nothing left open upstream.

import { create, toBinary } from "@bufbuild/protobuf";
import { constants } from "node:http2";
import { afterAll, beforeAll, expect, it } from "vitest";
import { ServerStreamResponseSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { type GatewayChild, startGateway } from "../../gateway/gateway-process.js";
import { runProcess, runtimeBinary } from "../../runtimes/runner.js";
import { seeded } from "./fault-server.js";
import { grpcEnd, grpcHead, type GrpcFaultServer, startGrpcFaultServer, writeAndWait } from "./grpc-fault-server.js";

/** A gRPC envelope: flag byte, 4-byte big-endian length, payload. */
function envelope(flags: number, payload: Uint8Array): Buffer {
  const out = Buffer.alloc(5 + payload.byteLength);
  out[0] = flags;
  out.writeUInt32BE(payload.byteLength, 1);
  out.set(payload, 5);
  return out;
}

const message = (seq: number) => envelope(0, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq, payload: new Uint8Array(100).fill(seq & 0xff) })));

let server: GrpcFaultServer;
let gateway: GatewayChild;
let hugeBytes = 0;
/** "slow" streams the gateway opened, and how many of them it reset (the client aborted them all). */
const slow = { opened: 0, reset: 0 };

beforeAll(async () => {
  server = await startGrpcFaultServer({
    async split({ stream, param }) {
      const rand = seeded(param("seed"));
      const bytes = Buffer.concat(Array.from({ length: param("count") }, (_, seq) => message(seq)));
      grpcHead(stream);
      for (let at = 0; at < bytes.length; ) {
        const n = 1 + Math.floor(rand() * 64);
        await writeAndWait(stream, bytes.subarray(at, at + n));
        at += n;
      }
      grpcEnd(stream);
    },
    async corrupt({ stream, param }) {
      const rand = seeded(param("seed"));
      const bytes = Buffer.concat(Array.from({ length: 20 }, (_, seq) => message(seq)));
      // One to three bytes of some envelope's flags or length prefix get a random value.
      for (let k = 1 + Math.floor(rand() * 3); k > 0; k--) {
        const env = Math.floor(rand() * 20);
        bytes[env * message(0).length + Math.floor(rand() * 5)] = Math.floor(rand() * 256);
      }
      grpcHead(stream);
      await writeAndWait(stream, bytes);
      grpcEnd(stream);
    },
    async huge({ stream, closed }) {
      grpcHead(stream);
      const prefix = Buffer.from([0, 0xff, 0xff, 0xff, 0xff]);
      await writeAndWait(stream, prefix);
      // Keeps writing until the gateway resets the stream (writeAndWait waits for HTTP/2 to take each chunk).
      let open = true;
      void closed.then(() => (open = false));
      const chunk = new Uint8Array(64 * 1024);
      while (open && !stream.destroyed) {
        await writeAndWait(stream, chunk);
        hugeBytes += chunk.byteLength;
      }
    },
    async reset({ stream }) {
      grpcHead(stream);
      for (let seq = 0; seq < 3; seq++) await writeAndWait(stream, message(seq));
      stream.close(constants.NGHTTP2_INTERNAL_ERROR);
    },
    async drip({ stream, closed }) {
      grpcHead(stream);
      const bytes = message(0);
      let open = true;
      void closed.then(() => (open = false));
      // The server's own pace (one byte per 200 ms); the client's deadline is what must end the call.
      for (let i = 0; open && i < bytes.length; i++) {
        await writeAndWait(stream, bytes.subarray(i, i + 1));
        await new Promise((r) => setTimeout(r, 200));
      }
      grpcEnd(stream);
    },
    async slow({ stream, closed }) {
      slow.opened++;
      grpcHead(stream);
      let open = true;
      void closed.then(() => {
        open = false;
        if (stream.rstCode === constants.NGHTTP2_CANCEL) slow.reset++;
      });
      for (let seq = 0; open; seq++) {
        await writeAndWait(stream, message(seq));
        await new Promise((r) => setTimeout(r, 5));
      }
    },
  });
  gateway = await startGateway(["--upstream", server.url, "--upstream-protocol", "grpc", "--dev-cert", "--port", "0", "--ws-port", "0", "--quiet"]);
}, 60_000);

afterAll(async () => {
  await gateway?.stop();
  await server?.close();
});

it("through the gateway over WebTransport and WebSocket: every fault ends in the right TripleError, nothing left open upstream", async () => {
  const t0 = Date.now();
  const run = await runProcess(
    runtimeBinary("deno"),
    [
      "run", "--quiet", "--no-prompt", "--config=test/webtransport/deno/deno.json", "--allow-net=127.0.0.1", "--allow-read",
      "test/interop/faults/deno/gateway-faults.ts",
      JSON.stringify({ url: gateway.url, certSha256: gateway.certSha256, webSocketUrl: gateway.webSocketUrl }),
    ],
    { timeoutMs: 100_000, env: { NO_COLOR: "1", DENO_NO_UPDATE_CHECK: "1" } },
  );
  const line = /GATEWAY_FAULTS_RESULT (.*)/.exec(run.stdout);
  if (line === null || run.code !== 0) throw new Error(`deno exited (${run.signal ?? run.code}):\n${run.stdout}\n${run.stderr}`);
  const result = JSON.parse(line[1]!) as Record<"webtransport" | "websocket", Record<string, unknown>>;
  console.log(`[gateway faults] ${JSON.stringify(result)} (huge: the server wrote ${hugeBytes} bytes before the reset; aborted calls that reached the server: ${slow.opened}, reset upstream: ${slow.reset}; ${Date.now() - t0} ms)`);
  for (const path of ["webtransport", "websocket"] as const) {
    const r = result[path] as Record<string, any>;
    expect(r.split, path).toEqual(Array(5).fill("ok:200:true"));
    expect(Object.keys(r.corrupt).filter((k) => k.startsWith("NOT")), path).toEqual([]);
    expect(Object.values(r.corrupt as Record<string, number>).reduce((a, b) => a + b, 0)).toBe(60);
    expect(r.huge.end, path).toBe("resource_exhausted");
    // The messages before the reset, in order; HTTP/2 drops what the gateway had not read yet when
    // the reset came (seen over WebSocket, whose credits pace the gateway's reads), so a prefix.
    expect([0, 1, 2].slice(0, r.reset.seqs.length), path).toEqual(r.reset.seqs);
    expect(r.reset.end, path).toBe("unavailable");
    expect([r.drip.seqs, r.drip.end], path).toEqual([[], "deadline_exceeded"]);
    expect(r.aborted, path).toEqual({ canceled: 200 });
    expect(r.abortedAtOnce, path).toEqual({ canceled: 200 });
  }
  // Every upstream stream ends: the gateway reset what the client left (the test's timeout catches one that stays open).
  while (server.openStreams > 0) await new Promise((r) => setTimeout(r, 50));
  expect(server.openStreams).toBe(0);
  // Every aborted call that reached the server was reset upstream (an abort before the call left the client opens none).
  expect(slow.opened).toBeGreaterThan(0);
  expect(slow.reset).toBe(slow.opened);
}, 120_000);
