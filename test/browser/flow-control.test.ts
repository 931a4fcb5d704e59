// Client streaming and bidi through the call API `open()` inside Chromium, against the real
// dubbo-js server: over h2+TLS the request body streams (bidi is half duplex: Chromium exposes
// the response only once the request body has ended); over HTTP/1.1 Chromium refuses to stream a
// request body, so client streaming falls back to one body on close and bidi fails with
// Unimplemented. The scenarios are test/interop/flow-control-scenarios.ts, shared with the Node
// and Deno runners; the conformance suite (test/runtimes/browser/chromium.test.ts) covers the
// async-iterable forms.

import { describe, expect, it } from "vitest";
import { Code, createClient, createFetchTransport } from "triple-es";
import { MAX_BATCH_MESSAGES } from "triple-es/internal";
import { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import {
  batchedBurst,
  bidiPipelined,
  bidiRefused,
  check,
  slowReader,
  statsWhen,
  tapFetch,
  uniqueId,
  uploadSequence,
  type InteropClient,
} from "../interop/flow-control-scenarios.js";
import { baseUrl, interopClient, nextHopProtocol } from "./clients.js";

/**
 * Half-duplex bidi, proven without timing: `count` requests are sent and the server has read and
 * echoed every one of them (its own statistics say so) while the request side is still open, yet
 * not one echo has reached the reader; after `close()` all of them arrive, in order.
 */
async function bidiHalfDuplex(client: InteropClient, count: number) {
  const streamId = uniqueId("half");
  const call = client.bidiStream.open();
  let sent = 0;
  const allSent = new Promise<void>((resolve, reject) => {
    call.ready.catch(reject);
    call.onReady(() => {
      while (call.isReady && sent < count) {
        void call.send({ seq: sent, payload: new Uint8Array(64), streamId: sent === 0 ? streamId : "" });
        sent++;
      }
      if (sent >= count) resolve();
    });
  });
  let received = 0;
  const reading = (async () => {
    const reader = call.responses.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) return;
      check(r.value.seq === received, `echo ${received}: got ${r.value.seq}`);
      received++;
    }
  })();
  await allSent;
  const echoed = await statsWhen(client, streamId, (s) => s.produced === count);
  check(echoed.produced === count, `the server echoed ${echoed.produced} of ${count} while the request side was open`);
  const receivedBeforeClose = received;
  call.close();
  await reading;
  await call.trailer;
  check(received === count, `received ${received} of ${count}`);
  return { count, serverEchoedBeforeClose: echoed.produced, receivedBeforeClose, received };
}

describe("Chromium over h2+TLS: open()", () => {
  const client = () => interopClient("h2");

  it("client streaming delivers 10,000 sequence-numbered messages complete, in order, over a streaming body", async () => {
    const { response, requestMode } = await uploadSequence(client(), 10_000, 16);
    expect(requestMode).toBe("streaming");
    expect(response.count).toBe(10_000);
    expect(response.inOrder).toBe(true);
    expect(nextHopProtocol(baseUrl("h2"))).toMatch(/^(h2|)$/);
  });

  it("with a slow server reader: queued bytes stay within the high-water mark plus one message; isReady goes false and back; onReady fires", async () => {
    const r = await slowReader(client(), { count: 400, size: 16 * 1024, highWaterMark: 64 * 1024, readDelayMs: 1 });
    console.log(
      `[chromium slow reader h2] ${r.count} × ${r.size / 1024} KiB: max queued ${r.maxQueued} bytes ` +
        `(high-water mark ${r.highWaterMark} + one message ${r.oneMessage}); isReady went false ${r.notReadyTimes}×, onReady ran ${r.onReadyRuns}×`,
    );
    expect(r.maxQueued).toBeLessThanOrEqual(r.highWaterMark + r.oneMessage);
    expect(r.notReadyTimes).toBeGreaterThanOrEqual(1);
    expect(r.onReadyRuns).toBeGreaterThanOrEqual(2);
  });

  it("batches a burst of 1,000 small messages into few body chunks", async () => {
    const { fetch, tap } = tapFetch(globalThis.fetch.bind(globalThis));
    const tapped = createClient(InteropService, createFetchTransport({ baseUrl: baseUrl("h2"), fetch }));
    const r = await batchedBurst(tapped, tap, 1000);
    console.log(`[chromium batching h2] 1,000 small messages sent in a burst: ${r.chunks} chunks (cap ${MAX_BATCH_MESSAGES} per chunk)`);
    expect(r.chunks).toBeLessThanOrEqual(Math.ceil(1000 / MAX_BATCH_MESSAGES) + 1);
  });

  it("bidi is half duplex: the server has echoed every request, yet nothing arrives until the request side closes; then all arrive in order", async () => {
    const r = await bidiHalfDuplex(client(), 200);
    console.log(
      `[chromium bidi h2] ${r.count} sent; the server echoed ${r.serverEchoedBeforeClose} while the request side was open, ` +
        `${r.receivedBeforeClose} reached the reader before close, ${r.received} after`,
    );
    expect(r.serverEchoedBeforeClose).toBe(200);
    expect(r.receivedBeforeClose).toBe(0);
    expect(r.received).toBe(200);
  });

  it("bidi with the onReady send loop and pull-based responses echoes 2,000 messages in order", async () => {
    const r = await bidiPipelined(client(), 2000, 256);
    console.log(`[chromium bidi h2 pipelined] ${r.received} echoed, ${r.repliesBeforeClose} before the request side closed; send queue max ${r.maxQueued} bytes`);
    expect(r.received).toBe(2000);
    expect(r.repliesBeforeClose).toBe(0);
  });
});

describe("Chromium over HTTP/1.1: open()", () => {
  it("client streaming falls back to one body on close (requestMode buffered) and delivers 10,000 in order", async () => {
    // A fresh transport: the first call tries a streaming body, Chromium refuses it, the call
    // replays what was taken as one body; the transport remembers, so the next call is buffered
    // from the start.
    const client = interopClient("h1");
    const first = await uploadSequence(client, 10_000, 16);
    expect(first.requestMode).toBe("buffered");
    expect(first.response.count).toBe(10_000);
    const call = client.clientStream.open();
    expect(call.requestMode).toBe("buffered");
    call.close();
    expect((await call.response).count).toBe(0);
    const second = await uploadSequence(client, 1000, 16);
    expect(second.requestMode).toBe("buffered");
    expect(second.response.inOrder).toBe(true);
  });

  it("bidi fails with Unimplemented naming HTTP/2 and WebTransport, on a fresh transport and a known one", async () => {
    const client = interopClient("h1");
    const fresh = await bidiRefused(client);
    expect(fresh.code).toBe(Code.Unimplemented);
    const known = await bidiRefused(client);
    expect(known.code).toBe(Code.Unimplemented);
  });
});
