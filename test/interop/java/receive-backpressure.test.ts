// Receive backpressure against the real Dubbo Java 3.3.6 server over SSE: the client reads the
// event stream only as its consumer pulls. Java 3.3.6's producer cannot see a slow reader (no
// isReady/onReady before 3.3.7), so the server side is measured and reported, not bounded.
import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient, createFetchTransport } from "triple-es";
import { json } from "triple-es/json";
import { dubboJava } from "triple-es/protocol-java";
import { pollUntil } from "../../conformance/calls.js";
import { CamelInteropService } from "../../gen/triple/interop/v1/interop_pb.js";

const COUNT = 500;
const SIZE = 64 * 1024;

/** A fetch that counts the response body bytes the SDK has pulled from the network. */
function countingFetch() {
  const counter = { bytes: 0 };
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (res.body === null) return res;
    const reader = res.body.getReader();
    const body = new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          const r = await reader.read();
          if (r.done) c.close();
          else {
            counter.bytes += r.value.byteLength;
            c.enqueue(r.value);
          }
        },
        cancel: (reason) => reader.cancel(reason),
      },
      { highWaterMark: 0 },
    );
    return new Response(body, { status: res.status, headers: res.headers });
  };
  return { fetch, counter };
}

describe("Java SSE receive backpressure (Node, HTTP/1.1)", () => {
  it(`reads no further than the consumer pulls; a resumed consumer gets all ${COUNT} × 64 KiB in order`, async () => {
    const { url } = inject("java");
    const { fetch, counter } = countingFetch();
    const client = createClient(CamelInteropService, createFetchTransport({ baseUrl: url, protocol: dubboJava(), format: json(), fetch }));
    const stats = createClient(CamelInteropService, createFetchTransport({ baseUrl: url, protocol: dubboJava(), format: json() }));
    const id = `java-bp-${process.pid}`;
    const iterator = client.serverStream({ count: COUNT, size: SIZE, streamId: id })[Symbol.asyncIterator]();
    let expected = 0;
    for (let i = 0; i < 10; i++) expect((await iterator.next()).value?.seq).toBe(expected++);
    // Let the server run while the consumer is paused, then look at what the client holds.
    // Java 3.3.6's producer never waits for a reader: wait for it to have produced everything.
    const { produced } = await pollUntil(
      () => stats.getStreamStats({ streamId: id }),
      (s) => s.produced === COUNT,
    );
    const eventBytes = Math.ceil((SIZE * 4) / 3) + 30; // base64 payload + JSON + "data:"
    const clientEvents = counter.bytes / eventBytes;
    console.log(
      `[java sse backpressure] consumer paused after 10 of ${COUNT} × 64 KiB: the client had read ${(counter.bytes / 1024).toFixed(0)} KiB ` +
        `(${clientEvents.toFixed(1)} events); the Java producer had produced ${produced} (${(((produced - 10) * SIZE) / 1024 / 1024).toFixed(1)} MiB ahead, ` +
        `held by the server and the kernel: Java 3.3.6 cannot see backpressure)`,
    );
    // The SDK reads ahead by at most the stream's one-message queue plus one network read.
    expect(clientEvents).toBeLessThan(14);

    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      expect(r.value.seq).toBe(expected++);
      expect(r.value.payload.byteLength).toBe(SIZE);
    }
    expect(expected).toBe(COUNT);
  });
});
