import { describe, expect, it } from "vitest";
import { createClient, createFetchTransport } from "triple-es";
import { MAX_BATCH_MESSAGES } from "triple-es/internal";
import { gzip } from "triple-es/gzip";
import { json } from "triple-es/json";
import { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { baseUrl, h2Fetch, interopClient, type Listener } from "./clients.js";
import {
  batchedBurst,
  batchedIterable,
  cancelMidUpload,
  slowReader,
  tapFetch,
  uploadSequence,
  uploadSequenceIterable,
} from "./flow-control-scenarios.js";

const listeners: Listener[] = ["h1", "h2"];

/** A client whose fetch counts the chunks of streaming request bodies. */
function tappedClient(listener: Listener) {
  const { fetch, tap } = tapFetch(listener === "h2" ? h2Fetch() : globalThis.fetch);
  const transport = createFetchTransport({ baseUrl: baseUrl(listener), fetch });
  return { client: createClient(InteropService, transport), tap };
}

describe.each(listeners)("client streaming over %s", (listener) => {
  it("delivers 10,000 sequence-numbered messages complete, in order (call API)", async () => {
    const { response, requestMode } = await uploadSequence(interopClient(listener), 10_000, 16);
    expect(requestMode).toBe("streaming");
    expect(response.count).toBe(10_000);
    expect(response.inOrder).toBe(true);
  });

  it("delivers 10,000 messages from an async iterable", async () => {
    const res = await uploadSequenceIterable(interopClient(listener), 10_000);
    expect(res.count).toBe(10_000);
    expect(res.inOrder).toBe(true);
  });

  it("sends gzip-compressed messages (those of at least 1 KiB) and JSON", async () => {
    const gz = interopClient(listener, { compression: { send: gzip, accept: [gzip] } });
    const small = { seq: 0, payload: new Uint8Array(10) };
    const big = { seq: 1, payload: new Uint8Array(64 * 1024).fill(7) };
    const res = await gz.clientStream([small, big, { seq: 2 }]);
    expect(res.count).toBe(3);
    expect(res.bytes).toBe(BigInt(10 + 64 * 1024));
    const js = await interopClient(listener, { format: json() }).clientStream([{ seq: 5 }, { seq: 6 }]);
    expect(js.count).toBe(2);
    expect(js.inOrder).toBe(true);
  });

  it("accepts a sync iterable and an empty input", async () => {
    const client = interopClient(listener);
    const res = await client.clientStream(Array.from({ length: 100 }, (_, seq) => ({ seq })));
    expect(res.count).toBe(100);
    expect(res.inOrder).toBe(true);
    const empty = await client.clientStream([]);
    expect(empty.count).toBe(0);
  });

  it("with a slow reader: queued bytes stay within the high-water mark plus one message; isReady goes false and back; onReady fires", async () => {
    const r = await slowReader(interopClient(listener), {
      count: 800,
      size: 16 * 1024,
      highWaterMark: 64 * 1024,
      readDelayMs: 1,
    });
    console.log(
      `[slow reader ${listener}] ${r.count} × ${r.size / 1024} KiB: max queued ${r.maxQueued} bytes ` +
        `(high-water mark ${r.highWaterMark} + one message ${r.oneMessage}); isReady went false ${r.notReadyTimes}×, onReady ran ${r.onReadyRuns}×`,
    );
    expect(r.maxQueued).toBeLessThanOrEqual(r.highWaterMark + r.oneMessage);
    expect(r.notReadyTimes).toBeGreaterThanOrEqual(1);
    expect(r.onReadyRuns).toBeGreaterThanOrEqual(2);
  });

  it("cancelling mid-upload rejects pending sends with Canceled, releases the body, and the server sees the cancel", async () => {
    const { client, tap } = tappedClient(listener);
    const r = await cancelMidUpload(client, tap, { size: 16 * 1024, highWaterMark: 64 * 1024 });
    console.log(
      `[cancel mid-upload ${listener}] ${r.sent} sent, ${r.rejected} pending rejected with Canceled ` +
        `(${r.queuedBefore} bytes queued), body ${r.bodyEnd}; server saw the cancel ` +
        `${r.seenBeforeRelease ? "at once" : "once it read again (TCP delivers the close after the data in flight)"}, having read ${r.serverConsumed}`,
    );
    expect(r.rejected).toBeGreaterThanOrEqual(3);
  });

  it("batches a burst of small messages into few chunks", async () => {
    const { client, tap } = tappedClient(listener);
    const burst = await batchedBurst(client, tap, 1000);
    const iterable = await batchedIterable(client, tap, 1000);
    console.log(
      `[batching ${listener}] 1,000 small messages: ${burst.chunks} chunks when sent in a burst, ` +
        `${iterable.chunks} chunks from an async generator (cap ${MAX_BATCH_MESSAGES} per chunk)`,
    );
    expect(burst.chunks).toBeLessThanOrEqual(Math.ceil(1000 / MAX_BATCH_MESSAGES) + 1);
    expect(iterable.chunks).toBeLessThanOrEqual(1000);
  });
});
