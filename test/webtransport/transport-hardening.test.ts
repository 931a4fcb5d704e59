// Issue 15's WebTransport fixes against fake sessions in Node: an abort that lands between opening
// the stream and starting the exchange reaches the gateway, and a session that keeps refusing
// streams fails the call instead of retrying for the session's life.
import { describe, expect, it, vi } from "vitest";
import { Code, createWebTransportTransport, type WebTransportConstructor } from "triple-es";
import { MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE } from "../../src/transport/webtransport.js";
import { createInteropServiceClient } from "../gen/triple/interop/v1/interop_triple.js";

const td = new TextDecoder();

/** Every frame the fake gateway read from one stream, and whether the stream was reset. */
interface Seen {
  frames: { flags: number; text: string }[];
  reset: boolean;
}

/** Reads 5-byte-prefixed frames until the stream ends or is reset. */
async function collect(readable: ReadableStream<Uint8Array>, seen: Seen): Promise<void> {
  const reader = readable.getReader();
  let buf = new Uint8Array(0);
  for (;;) {
    let r: ReadableStreamReadResult<Uint8Array>;
    try {
      r = await reader.read();
    } catch {
      seen.reset = true;
      return;
    }
    if (r.done) return;
    const next = new Uint8Array(buf.byteLength + r.value.byteLength);
    next.set(buf);
    next.set(r.value, buf.byteLength);
    buf = next;
    while (buf.byteLength >= 5) {
      const len = new DataView(buf.buffer, buf.byteOffset).getUint32(1);
      if (buf.byteLength < 5 + len) break;
      seen.frames.push({ flags: buf[0]!, text: td.decode(buf.subarray(5, 5 + len)) });
      buf = buf.slice(5 + len);
    }
  }
}

describe("WebTransport transport hardening (fake sessions)", () => {
  it("an abort between opening the stream and starting the exchange sends the cancel to the gateway", async () => {
    const controller = new AbortController();
    const seen: Seen = { frames: [], reset: false };
    class FakeWT {
      readonly ready = Promise.resolve();
      readonly closed = new Promise<unknown>(() => {});
      close() {}
      async createBidirectionalStream() {
        const up = new TransformStream<Uint8Array, Uint8Array>();
        const down = new TransformStream<Uint8Array, Uint8Array>();
        void collect(up.readable, seen);
        let aborted = false;
        return {
          readable: down.readable, // never answers
          get writable() {
            // The first thing the exchange touches: the abort lands exactly in the gap.
            if (!aborted) {
              aborted = true;
              controller.abort();
            }
            return up.writable;
          },
        };
      }
    }
    const client = createInteropServiceClient(
      createWebTransportTransport({ url: "https://gw.test/", WebTransport: FakeWT as unknown as WebTransportConstructor }),
    );
    await expect(client.unary({ text: "x" }, { signal: controller.signal })).rejects.toMatchObject({ code: Code.Canceled });
    await vi.waitFor(() => {
      const ends = seen.frames.filter((f) => f.flags === 2).map((f) => JSON.parse(f.text) as { error?: { code: string } });
      expect(ends.some((e) => e.error?.code === "canceled") || seen.reset).toBe(true);
    });
    expect(seen.frames[0]?.text).toMatch(/"path":"\/triple.interop.v1.InteropService\/Unary"/);
  });

  it("a session that keeps refusing new streams fails the call with Unavailable after a bounded number of attempts", async () => {
    let attempts = 0;
    class RefusingWT {
      readonly ready = Promise.resolve();
      readonly closed = new Promise<unknown>(() => {}); // the session stays up
      close() {}
      async createBidirectionalStream(): Promise<never> {
        attempts++;
        throw new DOMException("Failed to create bidirectional stream.", "NetworkError");
      }
    }
    const client = createInteropServiceClient(
      createWebTransportTransport({ url: "https://gw.test/", WebTransport: RefusingWT as unknown as WebTransportConstructor }),
    );
    const err = await client.unary({ text: "x" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.Unavailable, message: expect.stringMatching(/refused a new stream/) });
    expect(attempts).toBe(MAX_OPEN_ATTEMPTS_WITHOUT_RELEASE);
  });
});
