// Receive backpressure inside Chromium: a consumer that stops reading makes the real server's
// producer stop, and resuming delivers everything in order.
//
// What Chromium adds (measured here, see test/browser/no-store-proxy.ts): fetch() drains every
// response body into renderer memory ahead of the page, up to 55 MiB (Blink's
// BufferingBytesConsumer), unless the response carries `Cache-Control: no-store` or the request
// has `integrity`. So against a server that does not send no-store, the producer runs ~60 MiB
// ahead of a stopped consumer before TCP/HTTP-2 flow control stops it; with no-store, the lead
// falls to what the socket, the Mojo data pipe and the server's own buffers hold.

import { describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createClient, createFetchTransport } from "triple-es";
import { InteropService } from "../gen/triple/interop/v1/interop_pb.js";
import { baseUrl, sleep, streamId, type Listener } from "./clients.js";

// Long enough (192 MiB) that "stopped" is far from "ran to the end" even with Chromium's buffer.
const COUNT = 3072;
const SIZE = 64 * 1024;
const MiB = 1024 * 1024;

type Route = { name: string; listener: Listener; url: () => string; noStore: boolean };
const routes: Route[] = [
  { name: "h1", listener: "h1", url: () => baseUrl("h1"), noStore: false },
  { name: "h2", listener: "h2", url: () => baseUrl("h2"), noStore: false },
  { name: "h1 + Cache-Control: no-store", listener: "h1", url: () => inject("noStoreProxy"), noStore: true },
];

describe.each(routes)("receive backpressure in Chromium over $name", (route) => {
  it(`stops the server's producer when the consumer stops, then resumes to deliver all ${COUNT} in order`, async () => {
    const client = createClient(InteropService, createFetchTransport({ baseUrl: route.url() }));
    // Stats come straight from the server, not through the proxy.
    const stats = createClient(InteropService, createFetchTransport({ baseUrl: baseUrl(route.listener) }));
    const id = streamId(`bp-${route.listener}${route.noStore ? "-nostore" : ""}`);
    let header: Headers | undefined;
    const iterator = client
      .serverStream({ count: COUNT, size: SIZE, streamId: id }, { onHeader: (h) => (header = h) })
      [Symbol.asyncIterator]();
    let expected = 0;
    for (let i = 0; i < 10; i++) {
      const r = await iterator.next();
      expect(r.value?.seq).toBe(expected++);
    }
    expect(header?.get("cache-control") ?? null).toBe(route.noStore ? "no-store" : null);

    // Wait until the producer's count stops moving.
    let produced = -1;
    for (let i = 0; i < 60; i++) {
      const now = (await stats.getStreamStats({ streamId: id })).produced;
      if (now === produced) break;
      produced = now;
      await sleep(250);
    }
    const ahead = produced - 10;
    console.log(
      `[chromium receive backpressure ${route.name}] consumer stopped at 10 of ${COUNT} × 64 KiB; producer stopped at ${produced}: ` +
        `${ahead} messages (${((ahead * SIZE) / MiB).toFixed(1)} MiB) ahead of the consumer`,
    );
    // It must stop well short of the end. Without no-store Chromium's 55 MiB renderer buffer
    // comes on top of the transport's; with no-store only the transport's remain, so the lead
    // is below that buffer alone (the bound follows from the mechanism, not from one machine:
    // measured 10–14 MiB idle, 33 MiB with every core busy; 62–81 MiB without no-store).
    const bound = route.noStore ? 55 * MiB : 55 * MiB + 41 * MiB;
    expect(ahead * SIZE).toBeLessThan(bound);
    expect(produced).toBeLessThan(COUNT);

    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      expect(r.value.seq).toBe(expected++);
      expect(r.value.payload.byteLength).toBe(SIZE);
    }
    expect(expected).toBe(COUNT);
    expect((await stats.getStreamStats({ streamId: id })).finished).toBe(true);
  }, 120_000);
});
