// The in-memory transport driven by the SDK's real generated client: every call kind, both formats,
// errors with details, headers and trailers, delays on fake timers, abort, and flow control both ways.

import { afterEach, describe, expect, it, vi } from "vitest";
import { Code, TripleError } from "triple-es";
import { json } from "triple-es/json";
import { createInMemoryTransport, mockService, type InMemoryTransportOptions, type MockServiceOptions } from "triple-es/testing";
import { ErrorDetailSchema, InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { interopImpl, newProbe, type Probe } from "./fixtures.js";
import { caught } from "../../support/caught.js";

function client(probe: Probe, options: InMemoryTransportOptions & MockServiceOptions = {}) {
  return createInteropServiceClient(createInMemoryTransport(InteropService, interopImpl(probe), options));
}

/** Lets queued work run: a few turns of the event loop, no clock. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

async function readAll<T>(stream: ReadableStream<T>): Promise<T[]> {
  const out: T[] = [];
  const reader = stream.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) out.push(r.value);
  return out;
}

afterEach(() => {
  vi.useRealTimers();
});

describe.each([
  ["binary", {}],
  ["json", { format: json() }],
] as const)("in-memory transport (%s)", (_name, options) => {
  it("unary: request and response fields, headers and trailers", async () => {
    const probe = newProbe();
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client(probe, options).unary(
      { text: "hi", payload: new Uint8Array([1, 2, 3]) },
      { headers: { "x-echo-a": "b" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    );
    expect(res.text).toBe("hi");
    expect(res.payload).toEqual(new Uint8Array([1, 2, 3]));
    expect(res.servedBy).toBe("mock");
    expect(header?.get("x-echo-a")).toBe("b");
    expect(trailer?.get("x-echo-a")).toBe("b");
    expect(probe.requestHeader?.get("content-type")).toBe(options === undefined || !("format" in options) ? "application/proto" : "application/json");
  });

  it("server stream: every message, then the trailers", async () => {
    const probe = newProbe();
    const call = client(probe, options).serverStream.open({ count: 3, size: 4 }, { headers: { "x-echo-k": "v" } });
    expect((await readAll(call.responses)).map((m) => m.seq)).toEqual([0, 1, 2]);
    expect((await call.header).get("x-echo-k")).toBe("v");
    expect((await call.trailer).get("x-echo-k")).toBe("v");
  });

  it("client stream: the handler reads every request", async () => {
    const probe = newProbe();
    const res = await client(probe, options).clientStream(
      (async function* () {
        for (let seq = 1; seq <= 5; seq++) yield { seq, payload: new Uint8Array(10) };
      })(),
    );
    expect(res).toMatchObject({ count: 5, bytes: 50n, firstSeq: 1, lastSeq: 5, inOrder: true });
  });

  it("bidi: full duplex ping-pong, each response before the next request is sent", async () => {
    const probe = newProbe();
    const call = client(probe, options).bidiStream.open();
    const reader = call.responses.getReader();
    for (let seq = 0; seq < 10; seq++) {
      await call.send({ seq });
      const r = await reader.read();
      expect(r.value?.seq).toBe(seq);
    }
    call.close();
    expect((await reader.read()).done).toBe(true);
    await expect(call.trailer).resolves.toBeInstanceOf(Headers);
  });

  it("errors: code, message, metadata and details, unary and mid-stream", async () => {
    const probe = newProbe();
    const c = client(probe, options);
    const spec = { code: Code.PermissionDenied, message: "no way", metadata: { "x-m": "v" }, detailReason: "why" };
    const unary = await caught(c.unary({ error: spec }));
    expect(unary.code).toBe(Code.PermissionDenied);
    expect(unary.rawMessage).toBe("no way");
    expect(unary.metadata.get("x-m")).toBe("v");
    expect(unary.findDetails(ErrorDetailSchema)).toMatchObject([{ reason: "why", retryAfterMs: 250 }]);

    const seqs: number[] = [];
    const stream = await caught(
      (async () => {
        for await (const m of c.serverStream({ count: 3, errorAfter: 2, error: { ...spec, code: Code.ResourceExhausted } })) seqs.push(m.seq);
      })(),
    );
    expect(seqs).toEqual([0, 1]);
    expect(stream.code).toBe(Code.ResourceExhausted);
    expect(stream.metadata.get("x-m")).toBe("v");
    expect(stream.findDetails(ErrorDetailSchema)).toMatchObject([{ reason: "why" }]);
  });
});

describe("in-memory transport", () => {
  it("a method without a handler answers Unimplemented; a thrown non-TripleError is Unknown", async () => {
    const transport = createInMemoryTransport(InteropService, {
      unary: () => {
        throw new Error("boom");
      },
    });
    const c = createInteropServiceClient(transport);
    expect((await caught(c.getStreamStats({}))).code).toBe(Code.Unimplemented);
    const e = await caught(c.unary({}));
    expect(e.code).toBe(Code.Unknown);
    expect(e.rawMessage).toBe("boom");
  });

  it("serves several services from one transport, under a base path", async () => {
    const probe = newProbe();
    const transport = createInMemoryTransport([mockService(InteropService, interopImpl(probe))], { baseUrl: "http://x.test/prefix" });
    const res = await createInteropServiceClient(transport).unary({ text: "p" });
    expect(res.text).toBe("p");
  });

  it("rejects handlers for methods the service does not have", () => {
    expect(() => mockService(InteropService, { nope: async () => ({}) } as never)).toThrow(/no method "nope"/);
  });

  it("delays run on timers: fake timers decide when the answer comes", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const probe = newProbe();
    const c = client(probe, { delayMs: 100 });
    let done = false;
    const p = c.unary({ text: "late", delayMs: 1000 }).then((r) => ((done = true), r));
    await vi.advanceTimersByTimeAsync(1099);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect((await p).text).toBe("late");
  });

  it("the client's deadline reaches the handler: its signal fires with DeadlineExceeded", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const probe = newProbe();
    const p = caught(client(probe).unary({ delayMs: 60_000 }, { timeoutMs: 500 }));
    await vi.advanceTimersByTimeAsync(500);
    expect((await p).code).toBe(Code.DeadlineExceeded);
    const reason = await probe.abortedOnce;
    expect([Code.DeadlineExceeded, Code.Canceled]).toContain(reason.code);
  });

  it("abort: the call ends Canceled and the handler's signal fires", async () => {
    const probe = newProbe();
    const ac = new AbortController();
    const p = caught(client(probe).unary({ delayMs: 60_000 }, { signal: ac.signal }));
    await settle();
    ac.abort();
    expect((await p).code).toBe(Code.Canceled);
    expect((await probe.abortedOnce).code).toBe(Code.Canceled);
  });

  it("breaking out of a server stream stops the handler", async () => {
    const probe = newProbe();
    for await (const m of client(probe).serverStream({ count: 1_000_000 })) {
      if (m.seq === 2) break;
    }
    expect((await probe.abortedOnce).code).toBe(Code.Canceled);
    expect(probe.produced).toBeLessThan(10);
  });

  it("receive flow control: the handler is resumed only as the client reads", async () => {
    const probe = newProbe();
    const call = client(probe).serverStream.open({ count: 1000 });
    const reader = call.responses.getReader();
    await reader.read();
    await settle();
    const held = probe.produced;
    expect(held).toBeLessThanOrEqual(3);
    await reader.read();
    await reader.read();
    await settle();
    expect(probe.produced).toBeLessThanOrEqual(held + 2);
    call.cancel();
  });

  it("send flow control: a handler that stops reading turns isReady false", async () => {
    const probe = newProbe();
    const call = client(probe).clientStream.open({ sendHighWaterMarkBytes: 16 * 1024 });
    expect(call.requestMode).toBe("streaming");
    void call.send({ seq: 0, holdId: "hold" }).catch(() => {});
    // The handler holds after its first message; keep sending until the queue is over its mark.
    let sent = 1;
    while (call.isReady && sent < 10_000) {
      void call.send({ seq: sent++, payload: new Uint8Array(1024) }).catch(() => {});
      await settle();
    }
    expect(call.isReady).toBe(false);
    expect(probe.consumed).toBeLessThan(sent);
    call.cancel();
    await expect(call.response).rejects.toMatchObject({ code: Code.Canceled });
  });
});
