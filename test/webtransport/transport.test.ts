// The WebTransport transport against a fake WebTransport class in Node: the mapping's frames as
// the gateway reads them, session reuse, Deno's stream-credit leak (RangeError → a fresh session),
// Chromium's at-the-limit rejection (wait for a call to end, then retry), the cancel frame, and
// malformed response heads. The real thing is proven in test/webtransport/browser/ and deno.test.ts.

import { describe, expect, it, vi } from "vitest";
import { Code, TripleError, createWebTransportTransport, type WebTransportConstructor } from "triple-es";
import {
  certificateHashBytes,
  readResponseHead,
  requestPath,
} from "../../src/transport/webtransport-frames.js";
import { createInteropServiceClient } from "../gen/triple/interop/v1/interop_triple.js";

const te = new TextEncoder();
const td = new TextDecoder();

function frame(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.byteLength);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, payload.byteLength);
  out.set(payload, 5);
  return out;
}
const jsonFrame = (flags: number, v: unknown) => frame(flags, te.encode(JSON.stringify(v)));

/** Reads 5-byte-prefixed frames from a byte stream. */
async function* frames(readable: ReadableStream<Uint8Array>) {
  const reader = readable.getReader();
  let buf = new Uint8Array(0);
  for (;;) {
    while (buf.byteLength >= 5) {
      const len = new DataView(buf.buffer, buf.byteOffset).getUint32(1);
      if (buf.byteLength < 5 + len) break;
      yield { flags: buf[0]!, payload: buf.slice(5, 5 + len) };
      buf = buf.slice(5 + len);
    }
    const r = await reader.read().catch(() => ({ done: true as const, value: undefined }));
    if (r.done) return;
    const next = new Uint8Array(buf.byteLength + r.value.byteLength);
    next.set(buf);
    next.set(r.value, buf.byteLength);
    buf = next;
  }
}

interface FakeOptions {
  /** Streams a session allows at once. */
  limit: number;
  /** "deno": RangeError at the limit, streams never released; "chromium": NetworkError, released when both sides end. */
  style: "deno" | "chromium";
  /** Delay before the fake gateway answers, ms. */
  delayMs?: number;
}

/** A fake WebTransport class whose every stream is served by a tiny mapping-v1 "gateway" that echoes unary bodies. */
function fakeWebTransport(o: FakeOptions) {
  const seen: { path: string; headers: Record<string, string>; endFrames: string[] }[] = [];
  const sessions: { closed: boolean }[] = [];
  class FakeWT {
    readonly ready = Promise.resolve();
    readonly closed: Promise<unknown>;
    private close_!: (v: unknown) => void;
    private open = 0;
    private readonly record = { closed: false };
    constructor(_url: string, _options?: unknown) {
      this.closed = new Promise((r) => (this.close_ = r));
      sessions.push(this.record);
    }
    close() {
      this.record.closed = true;
      this.close_({ closeCode: 0, reason: "" });
    }
    async createBidirectionalStream() {
      if (this.open >= o.limit) {
        if (o.style === "deno") throw new RangeError("Connection has reached the maximum number of concurrent outgoing bidirectional streams");
        throw new DOMException("Failed to create bidirectional stream.", "NetworkError");
      }
      this.open++;
      const up = new TransformStream<Uint8Array, Uint8Array>();
      const down = new TransformStream<Uint8Array, Uint8Array>();
      let ends = 0;
      const ended = () => {
        if (++ends === 2 && o.style === "chromium") this.open--;
      };
      void (async () => {
        const call = { path: "", headers: {} as Record<string, string>, endFrames: [] as string[] };
        seen.push(call);
        const w = down.writable.getWriter();
        let body: Uint8Array | undefined;
        let answered = false;
        for await (const f of frames(up.readable)) {
          if (call.path === "") {
            const head = JSON.parse(td.decode(f.payload));
            call.path = head.path;
            call.headers = head.headers;
          } else if (f.flags === 2) {
            call.endFrames.push(td.decode(f.payload));
            if (!answered && !call.endFrames.at(-1)!.includes("error")) {
              answered = true;
              // Answer later, still reading (a cancel frame may come meanwhile).
              void (async () => {
                await new Promise((r) => setTimeout(r, o.delayMs ?? 0));
                if (call.endFrames.some((e) => e.includes("error"))) return void w.close().catch(() => {});
                await w.write(jsonFrame(0, { v: 2, status: 200, headers: { "content-type": "application/proto", "x-fake": "1" } }));
                await w.write(body ?? new Uint8Array(0));
                await w.close();
              })().catch(() => {});
            }
          } else {
            body = f.payload;
          }
        }
        ended();
        if (!answered) await w.close().catch(() => {});
        ended();
      })();
      return { readable: down.readable, writable: up.writable };
    }
  }
  return { Ctor: FakeWT as unknown as WebTransportConstructor, seen, sessions };
}

describe("WebTransport transport (fake sessions)", () => {
  it("maps a unary call onto head frame, one body frame, end frame; reuses the session", async () => {
    const fake = fakeWebTransport({ limit: 100, style: "chromium" });
    const transport = createWebTransportTransport({ url: "https://gw.test:4433/", WebTransport: fake.Ctor, headers: { "x-a": "1" } });
    const client = createInteropServiceClient(transport);
    let header: Headers | undefined;
    const res = await client.unary({ text: "echo" }, { onHeader: (h) => (header = h) });
    expect(res.text).toBe("echo");
    expect(header?.get("x-fake")).toBe("1");
    await client.unary({ text: "again" });
    expect(transport.sessionsOpened).toBe(1);
    expect(transport.connected).toBe(true);
    expect(fake.seen[0]).toMatchObject({
      path: "/triple.interop.v1.InteropService/Unary",
      headers: { "content-type": "application/proto", "tri-protocol-version": "1.0.0", "x-a": "1" },
      endFrames: ["{}"],
    });
    expect(transport.requestStreaming).toBe("full-duplex");
  });

  it("Deno's stream-credit leak: at the RangeError it opens a fresh session and closes the old one once idle", async () => {
    const fake = fakeWebTransport({ limit: 3, style: "deno" });
    const client = createInteropServiceClient(createWebTransportTransport({ url: "https://gw.test/", WebTransport: fake.Ctor }));
    for (let i = 0; i < 7; i++) expect((await client.unary({ text: `n${i}` })).text).toBe(`n${i}`);
    expect(fake.sessions.length).toBe(3);
    expect(fake.sessions.map((s) => s.closed)).toEqual([true, true, false]);
  });

  it("Chromium's rejection at the stream limit: calls wait for a stream and all succeed on one session", async () => {
    const fake = fakeWebTransport({ limit: 2, style: "chromium", delayMs: 20 });
    const transport = createWebTransportTransport({ url: "https://gw.test/", WebTransport: fake.Ctor });
    const client = createInteropServiceClient(transport);
    const texts = await Promise.all(Array.from({ length: 8 }, (_, i) => client.unary({ text: `c${i}` }).then((r) => r.text)));
    expect(texts).toEqual(Array.from({ length: 8 }, (_, i) => `c${i}`));
    expect(transport.sessionsOpened).toBe(1);
  });

  it("Deno's stream-credit leak with many calls at once: each waits for a slot, and those turned away by a retired session go on with a new one", async () => {
    const fake = fakeWebTransport({ limit: 3, style: "deno" });
    const transport = createWebTransportTransport({ url: "https://gw.test/", WebTransport: fake.Ctor, maxStreamsPerSession: 3 });
    const client = createInteropServiceClient(transport);
    const results = await Promise.allSettled(Array.from({ length: 12 }, (_, i) => client.unary({ text: `d${i}` }).then((r) => r.text)));
    expect(results.map((r) => (r.status === "fulfilled" ? r.value : String(r.reason)))).toEqual(Array.from({ length: 12 }, (_, i) => `d${i}`));
    // Three calls per session (the fake's credit), never more than three streams asked of one session.
    expect(fake.sessions.length).toBe(4);
    expect(fake.sessions.map((s) => s.closed)).toEqual([true, true, true, false]);
  });

  it("a call beyond maxStreamsPerSession waits for a slot; aborted while waiting it is Canceled and opens no stream", async () => {
    const fake = fakeWebTransport({ limit: 100, style: "chromium", delayMs: 200 });
    const transport = createWebTransportTransport({ url: "https://gw.test/", WebTransport: fake.Ctor, maxStreamsPerSession: 1 });
    const client = createInteropServiceClient(transport);
    const first = client.unary({ text: "first" });
    const ac = new AbortController();
    const second = client.unary({ text: "second" }, { signal: ac.signal }).catch((e: unknown) => e);
    await vi.waitFor(() => expect(fake.seen.length).toBe(1));
    ac.abort();
    expect(await second).toMatchObject({ code: Code.Canceled });
    expect((await first).text).toBe("first");
    // The waiting call never reached the gateway; a later call takes the freed slot.
    expect((await client.unary({ text: "third" })).text).toBe("third");
    expect(fake.seen.map((c) => c.path.length > 0 && c.endFrames[0])).toEqual(["{}", "{}"]);
  });

  it("maxStreamsPerSession must be a whole number of at least 1", () => {
    expect(() => createWebTransportTransport({ url: "https://gw.test/", maxStreamsPerSession: 0 })).toThrow(TypeError);
    expect(() => createWebTransportTransport({ url: "https://gw.test/", maxStreamsPerSession: 1.5 })).toThrow(TypeError);
  });

  it("a deadline while waiting for the answer sends the cancel frame and fails with DeadlineExceeded", async () => {
    const fake = fakeWebTransport({ limit: 10, style: "chromium", delayMs: 500 });
    const client = createInteropServiceClient(createWebTransportTransport({ url: "https://gw.test/", WebTransport: fake.Ctor }));
    const err = await client.unary({ text: "slow" }, { timeoutMs: 50 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).code).toBe(Code.DeadlineExceeded);
    await vi.waitFor(() => {
      const ends = fake.seen[0]!.endFrames.map((e) => JSON.parse(e));
      expect(ends).toEqual([{}, { error: { code: "deadline_exceeded", message: "the deadline of 50 ms was exceeded" } }]);
    });
  });

  it("without WebTransport in the runtime (Node): Unimplemented, saying what to use instead", async () => {
    const client = createInteropServiceClient(createWebTransportTransport({ url: "https://gw.test/" }));
    const err = (await client.unary({}).catch((e: unknown) => e)) as TripleError;
    expect(err.code).toBe(Code.Unimplemented);
    expect(err.message).toMatch(/no WebTransport.*createFetchTransport/);
  });
});

describe("mapping v1 frames (client side)", () => {
  const url = "https://gw.test/";
  const chunks = (...parts: Uint8Array[]) => {
    let i = 0;
    return async () => (i < parts.length ? { done: false as const, value: parts[i++]! } : { done: true as const, value: undefined });
  };
  const bytewise = (b: Uint8Array) => Array.from(b, (x) => Uint8Array.of(x));

  it("reads a head split into single bytes, and keeps bytes read past it", async () => {
    const head = jsonFrame(0, { v: 2, status: 200, headers: { "content-type": "application/connect+proto" } });
    const both = new Uint8Array([...head, 9, 8, 7]);
    const { head: h, rest } = await readResponseHead(chunks(...bytewise(head), Uint8Array.of(9, 8, 7)), url);
    expect(h.status).toBe(200);
    expect(h.headers.get("content-type")).toBe("application/connect+proto");
    expect(rest).toBeUndefined(); // nothing read past the head
    const one = await readResponseHead(chunks(both), url);
    expect(Array.from(one.rest!)).toEqual([9, 8, 7]);
  });

  it("rejects a malformed head with a code that says whose fault it is", async () => {
    const code = (p: Promise<unknown>) => p.then(() => undefined, (e: TripleError) => e.code);
    expect(await code(readResponseHead(chunks(jsonFrame(1, { v: 2, status: 200 })), url))).toBe(Code.Internal);
    expect(await code(readResponseHead(chunks(jsonFrame(0, { v: 3, status: 200 })), url))).toBe(Code.Unimplemented);
    expect(await code(readResponseHead(chunks(frame(0, te.encode("{no"))), url))).toBe(Code.Internal);
    expect(await code(readResponseHead(chunks(jsonFrame(0, { v: 2 })), url))).toBe(Code.Internal);
    expect(await code(readResponseHead(chunks(jsonFrame(0, { v: 2, status: 200 }).slice(0, 7)), url))).toBe(Code.Unavailable);
  });

  it("takes the path after the base URL, and hashes as base64, hex or bytes", () => {
    expect(requestPath("https://gw.test:4433/", "https://gw.test:4433/pkg.S/M")).toBe("/pkg.S/M");
    expect(requestPath("https://gw.test/mount", "https://gw.test/mount/pkg.S/M")).toBe("/pkg.S/M");
    const bytes = Uint8Array.from({ length: 32 }, (_, i) => i);
    const b64 = btoa(String.fromCharCode(...bytes));
    const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(":");
    expect(Array.from(certificateHashBytes(b64) as Uint8Array)).toEqual(Array.from(bytes));
    expect(Array.from(certificateHashBytes(hex) as Uint8Array)).toEqual(Array.from(bytes));
    expect(certificateHashBytes(bytes)).toBe(bytes);
    expect(() => certificateHashBytes("abc")).toThrow(TypeError);
  });
});
