import { describe, expect, it } from "vitest";
import { interopClient, sleep, streamStats, type Listener } from "./clients.js";

const COUNT = 2000;
const SIZE = 64 * 1024;
const listeners: Listener[] = ["h1", "h2"];

/** Waits until the producer's count stops moving, and returns it. */
async function settledProduced(listener: Listener, id: string): Promise<number> {
  let last = -1;
  for (let i = 0; i < 40; i++) {
    const { produced } = await streamStats(listener, id);
    if (produced === last) return produced;
    last = produced;
    await sleep(150);
  }
  return last;
}

describe.each(listeners)("receive backpressure over %s", (listener) => {
  it(`stops the server's producer when the consumer stops, then resumes to deliver all ${COUNT} in order`, async () => {
    const client = interopClient(listener);
    const id = `bp-${listener}-${process.pid}`;
    const iterator = client.serverStream({ count: COUNT, size: SIZE, streamId: id })[Symbol.asyncIterator]();
    let expected = 0;
    for (let i = 0; i < 10; i++) {
      const r = await iterator.next();
      expect(r.value?.seq).toBe(expected++);
    }
    const produced = await settledProduced(listener, id);
    const aheadMessages = produced - 10;
    const aheadBytes = aheadMessages * SIZE;
    console.log(
      `[receive backpressure ${listener}] consumer stopped at 10 of ${COUNT} × 64 KiB; producer stopped at ${produced}: ` +
        `${aheadMessages} messages (${(aheadBytes / 1024 / 1024).toFixed(1)} MiB) ahead of the consumer`,
    );
    // The producer must stop well short of the end: what is ahead sits in socket and runtime buffers.
    expect(produced).toBeLessThan(COUNT / 4);

    for (;;) {
      const r = await iterator.next();
      if (r.done) break;
      expect(r.value.seq).toBe(expected++);
      expect(r.value.payload.byteLength).toBe(SIZE);
    }
    expect(expected).toBe(COUNT);
    const stats = await streamStats(listener, id);
    expect(stats.finished).toBe(true);
  });
});
