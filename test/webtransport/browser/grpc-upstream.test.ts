// The SDK's WebTransport transport in Chromium → the Deno gateway → the real Dubbo Java 3.3.6 and
// dubbo-go 3.3.2 servers over gRPC (--upstream-protocol grpc, h2c). Every call kind, full duplex,
// errors with each server's quirks read right, the client's deadline, the gateway's own deadline
// against a server that keeps producing, cancellation reaching the server's handler, and the
// receive side held back by a paused consumer.

import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { commands } from "vitest/browser";
import { Code, createWebTransportTransport, type WebTransportTransport } from "triple-es";
import { json } from "triple-es/json";
import { ErrorDetailSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import type { WtStartedGateway } from "../commands.js";
import { cancelAfterThree, caught, interop, settled, statsWhen, uniqueId } from "./support.js";

/** Round trips in the ping-pong (each reply awaited before the next send). */
const PING_PONGS = 1000;
const servers = ["java", "go"] as const;

describe.each(servers)("WebTransport → gateway → %s over gRPC", (server) => {
  let gateway: WtStartedGateway;
  let transport: WebTransportTransport;
  let client: ReturnType<typeof interop>;
  const open = (g: WtStartedGateway, options = {}) =>
    createWebTransportTransport({ url: g.url, serverCertificateHashes: [{ algorithm: "sha-256", value: g.certSha256 }], ...options });

  beforeAll(async () => {
    gateway = await commands.wtStartGateway({ upstream: inject(server).url, upstreamProtocol: "grpc" });
    transport = open(gateway);
    client = interop(transport);
  }, 60_000);

  afterAll(async () => {
    transport?.close();
    if (gateway) await commands.wtStopGateway(gateway.id, "SIGTERM");
  });

  it("unary: a round trip, binary", async () => {
    const res = await client.unary({ text: `hello ${server}`, payload: Uint8Array.of(1, 2, 3) });
    expect(res.text).toBe(`hello ${server}`);
    expect(Array.from(res.payload)).toEqual([1, 2, 3]);
    expect(res.servedBy).toBe("default");
  });

  it("server stream: every message in order, then a clean end", async () => {
    const seqs: number[] = [];
    for await (const m of client.serverStream({ count: 50, size: 100 })) seqs.push(m.seq);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it("client stream: 200 messages streamed up, one answer", async () => {
    const call = client.clientStream.open();
    for (let seq = 0; seq < 200; seq++) {
      if (!call.isReady) await call.ready;
      void call.send({ seq, payload: new Uint8Array(64) });
    }
    call.close();
    const res = await call.response;
    expect(res.count).toBe(200);
    expect(res.inOrder).toBe(true);
    expect(Number(res.bytes)).toBe(200 * 64);
  });

  it("bidi is full duplex: a ping-pong of 1,000, each reply before the next send", async () => {
    await client.unary({}); // session open; time the calls alone
    const call = client.bidiStream.open();
    const reader = call.responses.getReader();
    const t0 = performance.now();
    for (let seq = 0; seq < PING_PONGS; seq++) {
      void call.send({ seq });
      expect((await reader.read()).value?.seq).toBe(seq);
    }
    const ms = performance.now() - t0;
    call.close();
    expect((await reader.read()).done).toBe(true);
    console.log(`[wt grpc ${server}] ping-pong of ${PING_PONGS}: ${ms.toFixed(0)} ms (${((ms / PING_PONGS) * 1000).toFixed(0)} µs per round trip)`);
  });

  it("unary error: the server's code and message", async () => {
    const err = await caught(client.unary({ error: { code: Code.NotFound, message: "nothing here ü 100%", detailReason: "MISSING" } }));
    expect(err.code).toBe(Code.NotFound);
    // Java sends "NOT_FOUND : text" as raw UTF-8; dubbo-go percent-encodes it: both read as the text.
    expect(err.rawMessage).toBe("nothing here ü 100%");
    // Neither server sends the detail: Java 3.3.6 has no grpc-status-details-bin, and dubbo-go's
    // carries only code and message for codes 1–16 (gateway/grpc-status.ts decodes details when present).
    expect(err.findDetails(ErrorDetailSchema)).toEqual([]);
  });

  it("an error mid-stream ends the stream after the messages before it", async () => {
    const seqs: number[] = [];
    const err = await caught(
      (async () => {
        for await (const m of client.serverStream({ count: 10, errorAfter: 3, error: { code: Code.FailedPrecondition, message: "stop" } })) {
          seqs.push(m.seq);
        }
      })(),
    );
    expect(seqs).toEqual([0, 1, 2]);
    expect(err.code).toBe(Code.FailedPrecondition);
    expect(err.rawMessage).toBe("stop");
  });

  it("an error from a client stream (Java: trailers-only with :status 500)", async () => {
    const err = await caught(client.clientStream((async function* () {
      yield { seq: 0, error: { code: Code.PermissionDenied, message: "no uploads" } };
    })()));
    expect(err.code).toBe(Code.PermissionDenied);
    expect(err.rawMessage).toBe("no uploads");
  });

  it("the client's deadline goes upstream as grpc-timeout and ends the call", async () => {
    const err = await caught(client.unary({ delayMs: 5000 }, { timeoutMs: 300 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
  });

  it("a cancel mid-stream reaches the server's handler", async () => {
    const { error, seenByServer } = await cancelAfterThree(client, `grpc-cancel-${server}`);
    expect(error.code).toBe(Code.Canceled);
    expect(seenByServer).toBe(true);
  });

  it("a paused consumer: the SDK holds its credits; the producer's lead is what the network buffers", async () => {
    const streamId = uniqueId(`grpc-pause-${server}`);
    const count = 2000;
    const call = client.serverStream.open({ count, size: 16 * 1024, streamId }, { initialRequest: 5 });
    const reader = call.responses.getReader();
    for (let i = 0; i < 5; i++) expect((await reader.read()).value?.seq).toBe(i);
    const s = await settled(client, streamId);
    console.log(`[wt grpc ${server}] paused after 5 of ${count} × 16 KiB: producer at ${s.produced} (${(((s.produced - 5) * 16) / 1024).toFixed(1)} MiB ahead)`);
    if (server === "go") {
      // dubbo-go's Send blocks: HTTP/2, the gateway and QUIC hold it to a bounded lead.
      expect(s.produced).toBeLessThan(count);
    }
    call.cancel();
    await reader.cancel().catch(() => {});
  });

  it("JSON over gRPC: dubbo-go takes application/grpc+json; Java 3.3.6 answers UNKNOWN", async () => {
    const t = open(gateway, { format: json() });
    try {
      const call = interop(t).unary({ text: "json" });
      if (server === "go") expect((await call).text).toBe("json");
      else expect((await caught(call)).code).toBe(Code.Unknown);
    } finally {
      t.close();
    }
  });

  it("the gateway's own deadline ends a stream the server would keep producing, and cancels it upstream", async () => {
    const g = await commands.wtStartGateway({ upstream: inject(server).url, upstreamProtocol: "grpc", maxCallMs: 400 });
    const t = open(g);
    try {
      const c = interop(t);
      const streamId = uniqueId(`grpc-limit-${server}`);
      let n = 0;
      const err = await caught(
        (async () => {
          for await (const _ of c.serverStream({ count: 100_000, delayMs: 10, streamId })) n++;
        })(),
      );
      expect(err.code).toBe(Code.DeadlineExceeded);
      expect(err.rawMessage).toMatch(/gateway's limit of 400 ms/);
      expect(n).toBeGreaterThan(0);
      expect((await statsWhen(client, streamId, (s) => s.cancelled)).cancelled).toBe(true);
    } finally {
      t.close();
      await commands.wtStopGateway(g.id, "SIGTERM");
    }
  });
});
