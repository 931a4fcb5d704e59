import { describe, expect, it } from "vitest";
import { type Compression } from "triple-es";
import { EnvelopeParser, type Envelope } from "triple-es/internal";
import { MAX_BATCH_BYTES, MAX_BATCH_MESSAGES, WriteQueue, type WriteQueueOptions } from "../../../src/call/write-queue.js";

/** Messages are byte arrays here; serialize is the identity. */
function queue(options: Partial<WriteQueueOptions<Uint8Array>> = {}) {
  return new WriteQueue<Uint8Array>({ serialize: (m) => m, ...options });
}

const bytes = (n: number, fill = 1) => new Uint8Array(n).fill(fill);
const tick = () => new Promise((r) => setTimeout(r, 0));
const microtasks = async (n = 10) => {
  for (let i = 0; i < n; i++) await Promise.resolve();
};

function envelopes(chunks: Uint8Array[]): Envelope[] {
  const parser = new EnvelopeParser();
  const out: Envelope[] = [];
  for (const c of chunks) parser.push(c, (e) => out.push({ flags: e.flags, data: e.data.slice() }));
  parser.end();
  return out;
}

async function readAll(body: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  const reader = body.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) return chunks;
    chunks.push(r.value);
  }
}

describe("WriteQueue: send and drain", () => {
  it("encodes on send (exact byte accounting) and hands the envelopes out in order, in one chunk per pull", async () => {
    const q = queue();
    void q.send(bytes(3, 7));
    void q.send(bytes(0));
    void q.send(bytes(10, 9));
    expect(q.bufferedAmount).toBe(5 + 3 + 5 + 0 + 5 + 10);
    q.close();
    const chunks = await readAll(q.body);
    expect(chunks).toHaveLength(1);
    expect(envelopes(chunks).map((e) => [e.flags, e.data.byteLength, e.data[0]])).toEqual([
      [0, 3, 7],
      [0, 0, undefined],
      [0, 10, 9],
    ]);
    expect(q.bufferedAmount).toBe(0);
    expect(q.state).toBe("closed");
  });

  it(`batches at most ${MAX_BATCH_MESSAGES} envelopes per chunk`, async () => {
    const q = queue({ highWaterMark: Infinity });
    const n = 2 * MAX_BATCH_MESSAGES + 44;
    for (let i = 0; i < n; i++) void q.send(Uint8Array.of(i & 0xff));
    q.close();
    const chunks = await readAll(q.body);
    expect(chunks.map((c) => c.byteLength / 6)).toEqual([MAX_BATCH_MESSAGES, MAX_BATCH_MESSAGES, 44]);
    expect(envelopes(chunks).map((e) => e.data[0])).toEqual(Array.from({ length: n }, (_, i) => i & 0xff));
    expect(q.chunksWritten).toBe(3);
  });

  it(`caps a chunk at ${MAX_BATCH_BYTES} bytes, but sends a larger message alone and whole`, async () => {
    const q = queue({ highWaterMark: Infinity });
    for (let i = 0; i < 5; i++) void q.send(bytes(20_000));
    void q.send(bytes(100_000));
    void q.send(bytes(10));
    q.close();
    const chunks = await readAll(q.body);
    expect(chunks.map((c) => c.byteLength)).toEqual([3 * 20_005, 2 * 20_005, 100_005, 15]);
    expect(chunks.slice(0, 2).every((c) => c.byteLength <= MAX_BATCH_BYTES)).toBe(true);
  });

  it("the body stream pulls only on demand (high-water mark 0) and waits for sends", async () => {
    const q = queue();
    const reader = q.body.getReader();
    const first = reader.read();
    await tick();
    void q.send(bytes(1));
    void q.send(bytes(2));
    // Both sends happened in the same task, so they leave together.
    const r = await first;
    expect(envelopes([r.value!]).map((e) => e.data.byteLength)).toEqual([1, 2]);
    q.close();
    expect((await reader.read()).done).toBe(true);
  });

  it("resolves each send once its chunk was handed out", async () => {
    const q = queue();
    let written = false;
    void q.send(bytes(1)).then(() => (written = true));
    await tick();
    expect(written).toBe(false);
    const reader = q.body.getReader();
    await reader.read();
    await microtasks();
    expect(written).toBe(true);
  });

  it("a send settles with its own chunk: handed out, it stays resolved when later messages are cancelled", async () => {
    const q = queue({ highWaterMark: Infinity, maxBatchMessages: 2 });
    const settled: string[] = [];
    const track = (name: string, p: Promise<void>) =>
      p.then(
        () => settled.push(`${name} ok`),
        () => settled.push(`${name} failed`),
      );
    // Three messages queued in one go: the first chunk takes two of them (the cap), the third waits.
    track("a", q.send(bytes(1)));
    track("b", q.send(bytes(1)));
    track("c", q.send(bytes(1)));
    const reader = q.body.getReader();
    const first = await reader.read();
    expect(envelopes([first.value!])).toHaveLength(2);
    await microtasks();
    expect(settled).toEqual(["a ok", "b ok"]);
    // A message sent after a pull took the queue's messages never shares their fate.
    track("d", q.send(bytes(1)));
    q.cancel(new Error("stop"));
    await microtasks();
    expect(settled).toEqual(["a ok", "b ok", "c failed", "d failed"]);
  });

  it("an async sender (one message every few microtasks) still fills a chunk before it leaves", async () => {
    const q = queue();
    const reader = q.body.getReader();
    const first = reader.read();
    await tick();
    const sender = (async () => {
      async function* gen() {
        for (let i = 0; i < 50; i++) yield bytes(1, i);
      }
      for await (const m of gen()) void q.send(m);
    })();
    const r = await first;
    await sender;
    expect(envelopes([r.value!]).map((e) => e.data[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    q.close();
    expect((await reader.read()).done).toBe(true);
  });

  it("compresses at drain time and flags the envelope; readiness counts uncompressed bytes", async () => {
    const fake: Compression = {
      name: "fake",
      compress: async (b) => Uint8Array.of(b.byteLength & 0xff),
      decompress: async (b) => b,
    };
    const q = queue({ compression: fake, compressMinBytes: 100 });
    void q.send(bytes(50));
    void q.send(bytes(200));
    expect(q.bufferedAmount).toBe(55 + 205);
    q.close();
    const out = envelopes(await readAll(q.body));
    expect(out.map((e) => [e.flags, e.data.byteLength])).toEqual([
      [0, 50],
      [1, 1],
    ]);
  });

  it("a compression failure is reported and cancels the queue", async () => {
    const broken: Compression = {
      name: "broken",
      compress: async () => {
        throw new Error("zlib broke");
      },
      decompress: async (b) => b,
    };
    const errors: unknown[] = [];
    const q = queue({ compression: broken, compressMinBytes: 0, onError: (e, during) => errors.push(during) });
    const sent = q.send(bytes(10));
    await expect(q.body.getReader().read()).rejects.toThrow("zlib broke");
    await expect(sent).rejects.toThrow("zlib broke");
    expect(errors).toEqual(["compression"]);
    expect(q.state).toBe("cancelled");
  });

  it("throws synchronously when serialization fails or after close()", () => {
    const q = new WriteQueue<number>({
      serialize: (n) => {
        if (n < 0) throw new RangeError("negative");
        return bytes(n);
      },
    });
    expect(() => q.send(-1)).toThrow(RangeError);
    expect(q.bufferedAmount).toBe(0);
    q.close();
    expect(() => q.send(1)).toThrow(/after close/);
  });
});

describe("WriteQueue: readiness", () => {
  it("is ready below the high-water mark, not ready at or above it; ready resolves when drained below", async () => {
    const q = queue({ highWaterMark: 100 });
    expect(q.isReady).toBe(true);
    void q.send(bytes(45)); // 50
    expect(q.isReady).toBe(true);
    void q.send(bytes(45)); // 100
    expect(q.isReady).toBe(false);
    let ready = false;
    void q.ready.then(() => (ready = true));
    await tick();
    expect(ready).toBe(false);
    const reader = q.body.getReader();
    await reader.read();
    await microtasks();
    expect(q.isReady).toBe(true);
    expect(ready).toBe(true);
    expect(q.maxBufferedAmount).toBe(100);
  });

  it("a high-water mark of 0 means one message at a time", async () => {
    const q = queue({ highWaterMark: 0 });
    expect(q.isReady).toBe(true);
    void q.send(bytes(1));
    expect(q.isReady).toBe(false);
    await q.body.getReader().read();
    expect(q.isReady).toBe(true);
  });

  it("onReady: runs once when set while ready, then once per transition to ready, from a microtask, never re-entrantly", async () => {
    const q = queue({ highWaterMark: 20 });
    const reader = q.body.getReader();
    const log: string[] = [];
    let depth = 0;
    let maxDepth = 0;
    q.onReady(() => {
      depth++;
      maxDepth = Math.max(maxDepth, depth);
      log.push("ready");
      while (q.isReady) void q.send(bytes(5));
      depth--;
    });
    expect(log).toEqual([]); // not synchronously
    await microtasks();
    expect(log).toEqual(["ready"]);
    expect(q.bufferedAmount).toBe(20);
    await reader.read(); // drains everything: one transition
    await microtasks();
    expect(log).toEqual(["ready", "ready"]);
    await reader.read();
    await microtasks();
    expect(log).toEqual(["ready", "ready", "ready"]);
    expect(maxDepth).toBe(1);
  });

  it("onReady does not fire while the queue stays ready (edge-triggered)", async () => {
    const q = queue({ highWaterMark: 1000 });
    const reader = q.body.getReader();
    let runs = 0;
    q.onReady(() => runs++);
    await microtasks();
    expect(runs).toBe(1);
    void q.send(bytes(10));
    await reader.read();
    await microtasks();
    expect(runs).toBe(1);
  });

  it("onReady never runs after close() or cancel()", async () => {
    for (const end of ["close", "cancel"] as const) {
      const q = queue({ highWaterMark: 10 });
      let runs = 0;
      void q.send(bytes(20));
      q.onReady(() => runs++);
      if (end === "close") q.close();
      else q.cancel(new Error("x"));
      const reader = q.body.getReader();
      await reader.read().catch(() => {});
      await microtasks();
      expect(runs).toBe(0);
      expect(q.isReady).toBe(false);
    }
  });

  it("a throwing onReady handler is reported, not thrown into the queue", async () => {
    const errors: unknown[] = [];
    const q = queue({ onError: (e) => errors.push(e) });
    q.onReady(() => {
      throw new Error("handler bug");
    });
    await microtasks();
    expect(errors).toHaveLength(1);
  });
});

describe("WriteQueue: cancel and close", () => {
  it("cancel rejects pending sends and ready with the reason, empties the queue and errors the body", async () => {
    const q = queue({ highWaterMark: 5 });
    const sends = [q.send(bytes(10)), q.send(bytes(10))];
    const ready = q.ready;
    const reason = new Error("stop");
    const reader = q.body.getReader();
    q.cancel(reason);
    await expect(Promise.all(sends)).rejects.toBe(reason);
    await expect(ready).rejects.toBe(reason);
    await expect(q.ready).rejects.toBe(reason);
    // The body gets its own error object (see ignoreUnobservedRejection), carrying the reason.
    await expect(reader.read()).rejects.toMatchObject({ message: "stop", cause: reason });
    expect(q.bufferedAmount).toBe(0);
    expect(q.state).toBe("cancelled");
    // Sends after a cancel reject (they are never thrown, since a cancel can come from the other side).
    await expect(q.send(bytes(1))).rejects.toBe(reason);
  });

  it("an ignored send or ready promise does not become an unhandled rejection", async () => {
    const q = queue({ highWaterMark: 1 });
    void q.send(bytes(10));
    void q.ready;
    q.cancel(new Error("nobody listens"));
    await tick();
    // vitest fails the run on an unhandled rejection; reaching here without one is the test.
  });

  it("cancel with body 'close' ends the body normally", async () => {
    const q = queue();
    const reader = q.body.getReader();
    const pending = q.send(bytes(1));
    q.cancel(new Error("server finished"), "close");
    await expect(pending).rejects.toThrow("server finished");
    expect((await reader.read()).done).toBe(true);
  });

  it("close() waits for the queue to drain; ready rejects after it; isReady is false", async () => {
    const q = queue();
    void q.send(bytes(3));
    q.close();
    expect(q.isReady).toBe(false);
    await expect(q.ready).rejects.toThrow(/closed/);
    expect(q.state).toBe("closing");
    const chunks = await readAll(q.body);
    expect(envelopes(chunks)).toHaveLength(1);
    expect(q.state).toBe("closed");
  });

  it("a transport that stops reading (cancels the body) is reported; sends stay pending until the owner decides", async () => {
    const cancelled: unknown[] = [];
    const q = queue({ onBodyCancel: (r) => cancelled.push(r) });
    let settled = false;
    void q.send(bytes(1)).then(
      () => (settled = true),
      () => (settled = true),
    );
    await q.body.cancel("gone");
    expect(cancelled).toEqual(["gone"]);
    await tick();
    expect(settled).toBe(false);
    q.cancel(new Error("owner"));
    await tick();
    expect(settled).toBe(true);
  });
});

describe("WriteQueue: one-body mode", () => {
  it("collect() is always ready and resolves at close() with every envelope in one body", async () => {
    const q = queue({ highWaterMark: 10 });
    const body = q.collect();
    for (let i = 0; i < 50; i++) {
      expect(q.isReady).toBe(true);
      void q.send(Uint8Array.of(i));
    }
    expect(q.bufferedAmount).toBe(300);
    q.close();
    const all = await body;
    expect(envelopes([all]).map((e) => e.data[0])).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(q.bufferedAmount).toBe(0);
  });

  it("collect() replays the chunks a failed streaming attempt had taken", async () => {
    const q = queue({ retainBytes: 1024 });
    void q.send(Uint8Array.of(1));
    const reader = q.body.getReader();
    await reader.read(); // the transport took the first message, then failed
    void q.send(Uint8Array.of(2));
    expect(q.canReplay).toBe(true);
    const body = q.collect();
    void q.send(Uint8Array.of(3));
    q.close();
    expect(envelopes([await body]).map((e) => e.data[0])).toEqual([1, 2, 3]);
  });

  it("after stopRetaining() (the transport proved it streams) a replay is no longer possible", async () => {
    const q = queue({ retainBytes: 1024 });
    void q.send(Uint8Array.of(1));
    await q.body.getReader().read();
    q.stopRetaining();
    expect(q.canReplay).toBe(false);
  });

  it("stops retaining once more than retainBytes were handed out", async () => {
    const q = queue({ retainBytes: 10, highWaterMark: Infinity });
    const reader = q.body.getReader();
    void q.send(bytes(20));
    await reader.read();
    expect(q.canReplay).toBe(false);
  });

  it("collect() rejects when cancelled", async () => {
    const q = queue();
    const body = q.collect();
    const send = q.send(bytes(1));
    q.cancel(new Error("no"));
    await expect(body).rejects.toThrow("no");
    await expect(send).rejects.toThrow("no");
  });
});
