// Backpressure end to end over WebTransport, both directions, measured against the real server:
// - receive: a consumer in Chromium that stops reading makes the dubbo-js producer stop, within a
//   bounded lead (QUIC stream flow control, the gateway's one-message buffer, HTTP/2 flow control);
// - send: an upstream handler that stops reading makes the browser's `isReady` go false (HTTP/2
//   flow control → the gateway stops reading QUIC → QUIC flow control → the stream's writer →
//   the call's write queue).

import { afterAll, describe, expect, it } from "vitest";
import { gatewayTransport, interop, settled, sleep, uniqueId } from "./support.js";

const KiB = 1024;
const MiB = 1024 * KiB;

describe("WebTransport backpressure", () => {
  const transport = gatewayTransport();
  const client = interop(transport);
  afterAll(() => transport.close());

  it("a slow consumer keeps the dubbo-js producer's lead bounded, then gets everything in order", async () => {
    const COUNT = 1000;
    const SIZE = 64 * KiB;
    const streamId = uniqueId("slow-consumer");
    const call = client.serverStream.open({ count: COUNT, size: SIZE, streamId });
    const reader = call.responses.getReader();
    let expected = 0;
    for (; expected < 10; expected++) expect((await reader.read()).value?.seq).toBe(expected);

    const stopped = await settled(client, streamId);
    const lead = stopped.produced - expected;
    console.log(
      `[wt receive backpressure] consumer stopped at ${expected} of ${COUNT} × 64 KiB; producer stopped at ${stopped.produced}: ` +
        `lead ${lead} messages = ${((lead * SIZE) / MiB).toFixed(1)} MiB`,
    );
    expect(stopped.produced).toBeLessThan(COUNT);
    expect(lead * SIZE).toBeLessThan(16 * MiB);

    // A slower consumer: the producer keeps its distance instead of running away.
    for (let i = 0; i < 20; i++, expected++) {
      expect((await reader.read()).value?.seq).toBe(expected);
      await sleep(10);
    }
    const midway = (await client.getStreamStats({ streamId })).produced;
    expect((midway - expected) * SIZE).toBeLessThan(16 * MiB);

    const t0 = performance.now();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      expect(r.value.seq).toBe(expected++);
      expect(r.value.payload.byteLength).toBe(SIZE);
    }
    const ms = performance.now() - t0;
    expect(expected).toBe(COUNT);
    await call.trailer;
    console.log(`[wt receive] the remaining ${((COUNT - 30) * SIZE / MiB).toFixed(0)} MiB in ${ms.toFixed(0)} ms`);
  }, 60_000);

  it("an upstream handler that stops reading makes isReady go false; releasing it delivers everything in order", async () => {
    const SIZE = 64 * KiB;
    const MAX = 1024; // 64 MiB: far more than any buffer on the way holds
    const holdId = uniqueId("hold");
    const streamId = uniqueId("slow-reader");
    const call = client.clientStream.open({ sendHighWaterMarkBytes: 256 * KiB });
    const payload = new Uint8Array(SIZE);
    let sent = 0;
    // The first message holds the handler (it reads nothing more until ReleaseHold).
    void call.send({ seq: sent++, streamId, holdId, payload });
    while (call.isReady && sent < MAX) {
      void call.send({ seq: sent++, payload });
      // Let the queue drain into the stream, as an application's send loop does between sends.
      if (call.isReady) await sleep(0);
      if (!call.isReady) {
        // Still not ready after a pause: the network stopped taking data.
        await sleep(200);
        if (call.isReady) continue;
        break;
      }
    }
    const notReady = !call.isReady;
    const inFlight = sent * SIZE - call.bufferedAmount;
    console.log(
      `[wt send backpressure] isReady went false after ${sent} × 64 KiB sends; ${(inFlight / MiB).toFixed(1)} MiB ` +
        `taken by the stream and the path to the held handler, ${(call.bufferedAmount / KiB).toFixed(0)} KiB queued in the client`,
    );
    expect(notReady).toBe(true);
    expect(sent).toBeLessThan(MAX);
    // Stays false while the handler is held.
    await sleep(300);
    expect(call.isReady).toBe(false);
    const held = await client.getStreamStats({ streamId });
    // The handler took the first message and waits on the hold (it counts a message once past it).
    expect(held).toMatchObject({ known: true, consumed: 0, finished: false });

    await client.releaseHold({ holdId });
    await call.ready;
    for (let i = 0; i < 20; i++) {
      if (!call.isReady) await call.ready;
      void call.send({ seq: sent++, payload });
    }
    call.close();
    const res = await call.response;
    expect(res).toMatchObject({ count: sent, firstSeq: 0, lastSeq: sent - 1, inOrder: true });
  }, 60_000);
});
