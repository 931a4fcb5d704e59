// Issue 15's call-level fixes, against scripted transports: deadlines that mean "none", the
// bounded one-body mode, a refused origin that is forgotten, misuse as TripleError, one reader
// per call, and the write queue's unref'd cancel timer. Each test failed before its fix.
import { afterEach, describe, expect, it, vi } from "vitest";
import { create, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  createClient,
  createFetchTransport,
  TripleError,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from "triple-es";
import { encodeEnvelope } from "triple-es/internal";
import { createObserverClient, type ClientCallStreamObserver } from "triple-es/observer";
import { resolveTransportConfig } from "../../../src/transport/config.js";
import { effectiveTimeoutMs, MAX_TIMER_MS } from "../../../src/call/deadline.js";
import { REFUSAL_MEMORY_MS } from "../../../src/call/request-streaming.js";
import { WriteQueue } from "../../../src/call/write-queue.js";
import {
  ClientStreamResponseSchema,
  InteropService,
  ServerStreamResponseSchema,
  UnaryResponseSchema,
} from "../../gen/triple/interop/v1/interop_pb.js";

type RoundTrip = (req: HttpRequest) => Promise<HttpResponse>;

function fakeTransport(roundTrip: RoundTrip, streaming: Transport["requestStreaming"] = "half-duplex", extra: Partial<Transport> = {}): Transport {
  return { ...resolveTransportConfig({ baseUrl: "http://fake.test" }), roundTrip, requestStreaming: streaming, ...extra };
}

const END_OK = encodeEnvelope(2, new TextEncoder().encode("{}"));

function envelopes(chunks: Uint8Array[]): HttpResponse {
  let i = 0;
  return {
    status: 200,
    headers: new Headers({ "content-type": "application/connect+proto" }),
    body: new ReadableStream<Uint8Array>({ pull: (c) => (i < chunks.length ? c.enqueue(chunks[i++]!) : c.close()) }, { highWaterMark: 0 }),
  };
}

/** Drains a request body, whatever its kind. */
async function drain(body: HttpRequest["body"]): Promise<void> {
  if (!(body instanceof ReadableStream)) return;
  const reader = body.getReader();
  while (!(await reader.read()).done);
}

/**
 * Answers after a 5 ms timer. A deadline timer that overflowed (or got NaN) fires after 1 ms, and
 * timers fire in the order they are due, so a broken deadline has always aborted the call by then.
 */
async function afterOverflowWindow(): Promise<void> {
  await new Promise((r) => setTimeout(r, 5));
}

describe("deadlines that mean none", () => {
  const noDeadline = [Infinity, 2 ** 31, MAX_TIMER_MS + 1, 1e15, NaN, -1, 0];

  it("effectiveTimeoutMs: the call's value wins; not finite, not above 0 or beyond the timer limit is none", () => {
    for (const ms of noDeadline) expect(effectiveTimeoutMs(ms, 5_000)).toBeUndefined();
    expect(effectiveTimeoutMs(undefined, 5_000)).toBe(5_000);
    expect(effectiveTimeoutMs(undefined, Infinity)).toBeUndefined();
    expect(effectiveTimeoutMs(250, undefined)).toBe(250);
    expect(effectiveTimeoutMs(MAX_TIMER_MS, undefined)).toBe(MAX_TIMER_MS);
  });

  it.each(noDeadline)("unary with timeoutMs %s runs without a deadline and sends no timeout header", async (timeoutMs) => {
    const seen: Headers[] = [];
    const transport = fakeTransport(async (req) => {
      seen.push(req.headers);
      await afterOverflowWindow();
      expect(req.signal.aborted).toBe(false);
      return {
        status: 200,
        headers: new Headers({ "content-type": "application/proto" }),
        body: new Response(toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "ok" }))).body,
      };
    });
    const res = await createClient(InteropService, transport).unary({ text: "x" }, { timeoutMs });
    expect(res.text).toBe("ok");
    const names = [...seen[0]!.keys()];
    expect(names.filter((n) => n.includes("timeout"))).toEqual([]);
    expect([...seen[0]!.values()].join(",")).not.toMatch(/NaN|Infinity/);
  });

  it("a server stream with timeoutMs Infinity runs without a deadline", async () => {
    const msg = encodeEnvelope(0, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq: 7 })));
    const transport = fakeTransport(async () => {
      await afterOverflowWindow();
      return envelopes([msg, END_OK]);
    });
    const seqs: number[] = [];
    for await (const r of createClient(InteropService, transport).serverStream({}, { timeoutMs: Infinity })) seqs.push(r.seq);
    expect(seqs).toEqual([7]);
  });

  it("timeoutMs: 0 on the call turns the transport's default deadline off", async () => {
    const config = resolveTransportConfig({ baseUrl: "http://fake.test", timeoutMs: 1 });
    const transport: Transport = {
      ...config,
      requestStreaming: "half-duplex",
      async roundTrip(req) {
        await afterOverflowWindow();
        expect(req.signal.aborted).toBe(false);
        return {
          status: 200,
          headers: new Headers({ "content-type": "application/proto" }),
          body: new Response(toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "ok" }))).body,
        };
      },
    };
    const client = createClient(InteropService, transport);
    expect((await client.unary({}, { timeoutMs: 0 })).text).toBe("ok");
    // The default still holds for a call that does not override it.
    await expect(client.unary({})).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });
});

describe("one-body mode is bounded", () => {
  it("a client stream past writeMaxBytes fails with ResourceExhausted before anything is sent", async () => {
    let requests = 0;
    const transport = fakeTransport(
      async () => {
        requests++;
        throw new Error("not reached");
      },
      "none",
      { writeMaxBytes: 1_000 },
    );
    const call = createClient(InteropService, transport).clientStream.open();
    expect(call.requestMode).toBe("buffered");
    const sends: Promise<void>[] = [];
    // 105 bytes an envelope: nine fit in 1,000, the tenth does not.
    for (let seq = 0; seq < 9; seq++) sends.push(call.send({ payload: new Uint8Array(98) }));
    expect((call as unknown as { error?: unknown }).error).toBeUndefined();
    const tenth = call.send({ payload: new Uint8Array(98) });
    await expect(tenth).rejects.toMatchObject({ code: Code.ResourceExhausted });
    await expect(call.response).rejects.toMatchObject({ code: Code.ResourceExhausted, message: expect.stringMatching(/one body.*1000 bytes/) });
    await expect(Promise.all(sends)).rejects.toMatchObject({ code: Code.ResourceExhausted });
    expect(call.isReady).toBe(false);
    expect(call.bufferedAmount).toBe(0); // what was held is released
    expect(requests).toBe(0);
  });

  it("below the cap the one body still goes out whole on close", async () => {
    const transport = fakeTransport(
      async (req) => {
        expect(req.body).toBeInstanceOf(Uint8Array);
        expect((req.body as Uint8Array).byteLength).toBe(945);
        return envelopes([encodeEnvelope(0, toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count: 9 }))), END_OK]);
      },
      "none",
      { writeMaxBytes: 1_000 },
    );
    const call = createClient(InteropService, transport).clientStream.open();
    for (let seq = 0; seq < 9; seq++) void call.send({ payload: new Uint8Array(98) });
    call.close();
    expect((await call.response).count).toBe(9);
  });
});

describe("a refused origin is not remembered for good", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it("one TypeError plus a reachable HEAD buffers for REFUSAL_MEMORY_MS, then streaming is tried again", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    vi.setSystemTime(1_000_000);
    let blips = 1;
    const seen: string[] = [];
    const fetch = (async (_url: string, init: RequestInit) => {
      if (init.method === "HEAD") {
        seen.push("HEAD");
        return new Response(null);
      }
      const streaming = init.body instanceof ReadableStream;
      seen.push(streaming ? "stream" : "POST");
      if (streaming && blips-- > 0) throw new TypeError("Failed to fetch"); // a network blip, once
      await drain(init.body as ReadableStream<Uint8Array> | null as never);
      return new Response(
        envelopes([encodeEnvelope(0, toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count: 1 }))), END_OK]).body,
        { headers: { "content-type": "application/connect+proto" } },
      );
    }) as unknown as typeof globalThis.fetch;
    const client = createClient(InteropService, createFetchTransport({ baseUrl: "http://blip.test", fetch }));
    const first = client.clientStream.open();
    void first.send({ seq: 0 });
    first.close();
    await first.response;
    expect(seen).toEqual(["stream", "HEAD", "POST"]);
    expect(client.clientStream.open().requestMode).toBe("buffered");

    vi.setSystemTime(1_000_000 + REFUSAL_MEMORY_MS);
    const later = client.clientStream.open();
    expect(later.requestMode).toBe("streaming");
    void later.send({ seq: 1 });
    later.close();
    expect((await later.response).count).toBe(1);
    expect(seen.at(-1)).toBe("stream");
  });
});

describe("misuse is a TripleError", () => {
  it("send() after close() and ready after close() fail with FailedPrecondition", async () => {
    const call = createClient(InteropService, fakeTransport(async () => new Promise<never>(() => {}))).bidiStream.open();
    call.close();
    let thrown: unknown;
    try {
      void call.send({});
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TripleError);
    expect(thrown).toMatchObject({ code: Code.FailedPrecondition });
    const ready = await call.ready.catch((e: unknown) => e);
    expect(ready).toBeInstanceOf(TripleError);
    expect(ready).toMatchObject({ code: Code.FailedPrecondition });
    call.cancel();
  });

  it("send() on a server stream fails with FailedPrecondition", () => {
    const call = createClient(InteropService, fakeTransport(async () => new Promise<never>(() => {}))).serverStream.open({});
    const send = (call as unknown as { send(m: object): Promise<void> }).send.bind(call);
    expect(() => send({})).toThrow(TripleError);
    expect(() => send({})).toThrow(expect.objectContaining({ code: Code.FailedPrecondition }) as never);
    call.cancel();
  });

  it("the observer API's onNext() on a server stream fails with FailedPrecondition", () => {
    const service = createObserverClient(InteropService, fakeTransport(async () => new Promise<never>(() => {})));
    let requestStream!: ClientCallStreamObserver<unknown>;
    service.serverStream({}, { onNext() {}, onError() {}, onCompleted() {}, beforeStart: (s: ClientCallStreamObserver<unknown>) => void (requestStream = s) } as never);
    let thrown: unknown;
    try {
      requestStream.onNext({});
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(TripleError);
    expect(thrown).toMatchObject({ code: Code.FailedPrecondition });
    requestStream.cancel();
  });
});

describe("one reader per call", () => {
  const reply = () =>
    fakeTransport(async (req) => {
      await drain(req.body);
      return envelopes([encodeEnvelope(0, toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count: 3 }))), END_OK]);
    });

  it("response first: a read of responses fails with FailedPrecondition, response still gets the message", async () => {
    const call = createClient(InteropService, reply()).clientStream.open();
    const response = call.response;
    const second = call.responses.getReader().read();
    call.close();
    await expect(second).rejects.toMatchObject({ code: Code.FailedPrecondition, message: expect.stringMatching(/already read through response/) });
    expect((await response).count).toBe(3);
    expect((call as unknown as { error?: unknown }).error).toBeUndefined();
  });

  it("responses first: response fails with FailedPrecondition, responses still gets the message and the end", async () => {
    const call = createClient(InteropService, reply()).clientStream.open();
    const reader = call.responses.getReader();
    await expect(call.response).rejects.toMatchObject({ code: Code.FailedPrecondition });
    call.close();
    expect((await reader.read()).value?.count).toBe(3);
    expect((await reader.read()).done).toBe(true);
  });
});

describe("the write queue's cancel timer", () => {
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it("does not keep the process alive (unref'd where the runtime has unref)", async () => {
    // Bun and browsers have global unhandledrejection events; Node does not, so stand them in.
    vi.stubGlobal("addEventListener", () => {});
    vi.stubGlobal("removeEventListener", () => {});
    const timers: ReturnType<typeof setTimeout>[] = [];
    const real = globalThis.setTimeout;
    vi.spyOn(globalThis, "setTimeout").mockImplementation(((fn: () => void, ms?: number) => {
      const t = real(fn, ms);
      timers.push(t);
      return t;
    }) as typeof setTimeout);
    const q = new WriteQueue<Uint8Array>({ serialize: (b) => b });
    const reader = q.body.getReader();
    void q.send(new Uint8Array(1));
    await reader.read();
    q.cancel(new Error("stop"));
    await reader.read().catch(() => {});
    expect(timers.length).toBeGreaterThan(0);
    for (const t of timers) expect((t as unknown as { hasRef(): boolean }).hasRef()).toBe(false);
  });
});
