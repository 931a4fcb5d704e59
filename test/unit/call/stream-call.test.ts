// The call API against a scripted transport: request modes, the fallback to one body, credits,
// cancellation and deadlines, without a network. The real servers are in test/interop/.
import { describe, expect, it, vi } from "vitest";
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import {
  Code,
  createClient,
  createFetchTransport,
  TripleError,
  type HttpRequest,
  type HttpResponse,
  type Transport,
} from "triple-es";
import { encodeEnvelope, EnvelopeParser } from "triple-es/internal";
import { resolveTransportConfig } from "../../../src/transport/config.js";
import {
  BidiRequestSchema,
  BidiResponseSchema,
  ClientStreamRequestSchema,
  ClientStreamResponseSchema,
  InteropService,
  ServerStreamResponseSchema,
} from "../../gen/triple/interop/v1/interop_pb.js";

type RoundTrip = (req: HttpRequest) => Promise<HttpResponse>;

function fakeTransport(roundTrip: RoundTrip, streaming: Transport["requestStreaming"] = "half-duplex", extra: Partial<Transport> = {}): Transport {
  return {
    ...resolveTransportConfig({ baseUrl: "http://fake.test" }),
    roundTrip,
    requestStreaming: streaming,
    ...extra,
  };
}

const END_OK = encodeEnvelope(2, new TextEncoder().encode("{}"));

/**
 * Lets every pending promise chain of an in-memory exchange run to quiescence: a few turns of the
 * event loop, with no timer and no clock. Only for fakes without I/O, where that is exact.
 */
const settle = async () => {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
};

function streamResponse(chunks: Uint8Array[], onPull?: (i: number) => void): HttpResponse {
  let i = 0;
  return {
    status: 200,
    headers: new Headers({ "content-type": "application/connect+proto" }),
    body: new ReadableStream<Uint8Array>(
      {
        pull(c) {
          onPull?.(i);
          if (i < chunks.length) c.enqueue(chunks[i++]!);
          else c.close();
        },
      },
      { highWaterMark: 0 },
    ),
  };
}

/** Every request envelope in a body, whole or streamed. */
async function readRequests(body: Uint8Array | ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const parser = new EnvelopeParser();
  const out: Uint8Array[] = [];
  const push = (c: Uint8Array) => parser.push(c, (e) => out.push(e.data.slice()));
  if (body instanceof Uint8Array) push(body);
  else {
    const reader = body.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      push(r.value);
    }
  }
  return out;
}

const uploadReply = (count: number) =>
  streamResponse([encodeEnvelope(0, toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count }))), END_OK]);

describe("request modes", () => {
  it("bidi where the transport cannot stream request bodies fails at once with Unimplemented", async () => {
    let calls = 0;
    const client = createClient(
      InteropService,
      fakeTransport(async () => {
        calls++;
        throw new Error("not reached");
      }, "none"),
    );
    const call = client.bidiStream.open();
    const sent = call.send({ seq: 1 });
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Unimplemented });
    await expect(call.header).rejects.toMatchObject({ code: Code.Unimplemented });
    await expect(sent).rejects.toMatchObject({ code: Code.Unimplemented });
    await expect(call.ready).rejects.toMatchObject({ code: Code.Unimplemented });
    const err = await call.responses.getReader().read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TripleError);
    expect((err as TripleError).message).toMatch(/HTTP\/2/);
    expect((err as TripleError).message).toMatch(/WebTransport/);
    expect(calls).toBe(0);
  });

  it("client streaming where the transport cannot stream sends one body on close, and is always ready", async () => {
    const bodies: (Uint8Array | ReadableStream<Uint8Array>)[] = [];
    const client = createClient(
      InteropService,
      fakeTransport(async (req) => {
        bodies.push(req.body);
        return uploadReply((await readRequests(req.body)).length);
      }, "none"),
    );
    const call = client.clientStream.open({ sendHighWaterMarkBytes: 10 });
    expect(call.requestMode).toBe("buffered");
    for (let seq = 0; seq < 100; seq++) {
      expect(call.isReady).toBe(true);
      void call.send({ seq, payload: new Uint8Array(100) });
    }
    expect(bodies).toHaveLength(0); // nothing sent before close
    call.close();
    expect((await call.response).count).toBe(100);
    expect(bodies).toHaveLength(1);
    expect(bodies[0]).toBeInstanceOf(Uint8Array);
  });

  it("client streaming falls back to one body when the runtime refuses to stream it (TypeError before any response), replaying what it took", async () => {
    const attempts: string[] = [];
    let diagnosed = 0;
    let tookFirst!: () => void;
    const firstTaken = new Promise<void>((r) => (tookFirst = r));
    const transport = fakeTransport(
      async (req) => {
        if (req.body instanceof ReadableStream) {
          attempts.push("stream");
          await req.body.getReader().read(); // takes the first chunk, then fails like Chromium over HTTP/1.1
          tookFirst();
          throw new TripleError("cannot reach: Failed to fetch", Code.Unavailable, { cause: new TypeError("Failed to fetch") });
        }
        attempts.push("buffered");
        const seqs = (await readRequests(req.body)).map((b) => fromBinary(ClientStreamRequestSchema, b).seq);
        expect(seqs).toEqual(Array.from({ length: 20 }, (_, i) => i));
        return uploadReply(seqs.length);
      },
      // A fetch transport whose HEAD answers: the origin is reachable, so the body was refused.
      "fetch",
      {
        fetch: async () => {
          diagnosed++;
          return new Response(null);
        },
      },
    );
    const call = createClient(InteropService, transport).clientStream.open();
    expect(call.requestMode).toBe("streaming");
    for (let seq = 0; seq < 10; seq++) void call.send({ seq });
    await firstTaken;
    for (let seq = 10; seq < 20; seq++) void call.send({ seq });
    call.close();
    expect((await call.response).count).toBe(20);
    expect(call.requestMode).toBe("buffered");
    expect(attempts).toEqual(["stream", "buffered"]);
    expect(diagnosed).toBe(1);
  });

  it("a streaming failure that is not the body's fault is reported as is (no fallback)", async () => {
    const transport = fakeTransport(
      async () => {
        throw new TripleError("cannot reach", Code.Unavailable, { cause: new TypeError("fetch failed") });
      },
      "fetch",
      {
        fetch: async () => {
          throw new TypeError("fetch failed");
        },
      },
    );
    const call = createClient(InteropService, transport).clientStream.open();
    void call.send({ seq: 0 });
    await expect(call.response).rejects.toMatchObject({ code: Code.Unavailable });
    expect(call.requestMode).toBe("streaming");
  });

  it("bidi refused by the runtime (diagnosed) fails with Unimplemented", async () => {
    const transport = fakeTransport(
      async () => {
        throw new TripleError("cannot reach", Code.Unavailable, { cause: new TypeError("Failed to fetch") });
      },
      "fetch",
      { fetch: async () => new Response(null) },
    );
    const call = createClient(InteropService, transport).bidiStream.open();
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Unimplemented });
  });

  it("HTTP 505 becomes Unimplemented naming the ways out", async () => {
    const client = createClient(
      InteropService,
      fakeTransport(async () => ({ status: 505, headers: new Headers(), body: null })),
    );
    const err = await client.bidiStream.open().trailer.catch((e: unknown) => e);
    expect(err).toMatchObject({ code: Code.Unimplemented });
    expect((err as TripleError).message).toMatch(/505.*HTTP\/2.*WebTransport/s);
  });

  it("streams requests while the response is read (never waits for response headers before sending)", async () => {
    const client = createClient(
      InteropService,
      fakeTransport(async (req) => {
        // Echo server that answers only after reading two requests.
        const reader = (req.body as ReadableStream<Uint8Array>).getReader();
        const parser = new EnvelopeParser();
        const got: number[] = [];
        while (got.length < 2) {
          const r = await reader.read();
          if (r.done) break;
          parser.push(r.value, (e) => got.push(fromBinary(BidiRequestSchema, e.data).seq));
        }
        return streamResponse([
          ...got.map((seq) => encodeEnvelope(0, toBinary(BidiResponseSchema, create(BidiResponseSchema, { seq })))),
          END_OK,
        ]);
      }),
    );
    const call = client.bidiStream.open();
    // The second request goes only once the first was handed to the transport: no clock.
    await call.send({ seq: 1 });
    void call.send({ seq: 2 });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(1);
    expect((await reader.read()).value?.seq).toBe(2);
    expect((await reader.read()).done).toBe(true);
    await call.trailer;
  });
});

describe("manual credits", () => {
  function counted(n: number) {
    const pulls: number[] = [];
    const chunks = Array.from({ length: n }, (_, seq) =>
      encodeEnvelope(0, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq }))),
    );
    const client = createClient(
      InteropService,
      fakeTransport(async () => streamResponse([...chunks, END_OK], (i) => pulls.push(i))),
    );
    return { client, pulls };
  }

  it("delivers nothing beyond the credits, reads at most one message ahead, and ends without a credit", async () => {
    const { client, pulls } = counted(10);
    const call = client.serverStream.open({ count: 10 }, { initialRequest: 2 });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    expect((await reader.read()).value?.seq).toBe(1);
    let third = false;
    const pending = reader.read().then((r) => ((third = true), r));
    await settle();
    expect(third).toBe(false);
    // Body chunks read so far: the two delivered and one held back (one look-ahead).
    expect(pulls.length).toBeLessThanOrEqual(3);
    call.request(1);
    expect((await pending).value?.seq).toBe(2);
    call.request(100);
    const rest: number[] = [];
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest.push(r.value.seq);
    }
    expect(rest).toEqual([3, 4, 5, 6, 7, 8, 9]);
    await call.trailer;
  });

  it("initialRequest 1 on a one-response stream completes without another credit", async () => {
    const { client } = counted(1);
    const call = client.serverStream.open({}, { initialRequest: 1 });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    expect((await reader.read()).done).toBe(true);
  });

  it("rejects a negative or fractional request", () => {
    const { client } = counted(1);
    const call = client.serverStream.open({}, { initialRequest: 0 });
    expect(() => call.request(-1)).toThrow(TripleError);
    expect(() => call.request(1.5)).toThrow(TripleError);
    call.cancel();
  });
});

describe("cancel, deadline, errors", () => {
  /** A transport whose request never answers, but that honours the abort signal. */
  const hanging = () =>
    fakeTransport(
      (req) =>
        new Promise((_, reject) => {
          const body = req.body;
          if (body instanceof ReadableStream) void body.getReader().read().catch(() => {});
          req.signal.addEventListener("abort", () => reject(req.signal.reason), { once: true });
        }),
    );

  it("cancel() fails sends, ready, header, trailer and responses with Canceled, and aborts the request", async () => {
    let aborted = false;
    const transport = fakeTransport(
      (req) =>
        new Promise((_, reject) =>
          req.signal.addEventListener("abort", () => {
            aborted = true;
            reject(req.signal.reason);
          }),
        ),
    );
    const call = createClient(InteropService, transport).bidiStream.open({ sendHighWaterMarkBytes: 1 });
    const sends = [call.send({ seq: 1, payload: new Uint8Array(10) }), call.send({ seq: 2 })];
    call.cancel();
    for (const p of [...sends, call.ready, call.header, call.trailer, call.responses.getReader().read()]) {
      await expect(p).rejects.toMatchObject({ code: Code.Canceled });
    }
    expect(aborted).toBe(true);
    expect(call.bufferedAmount).toBe(0);
    expect(call.isReady).toBe(false);
  });

  it("a deadline fails the call with DeadlineExceeded", async () => {
    const call = createClient(InteropService, hanging()).clientStream.open({ timeoutMs: 20 });
    await expect(call.response).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    await expect(call.send({ seq: 1 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
  });

  it("the caller's AbortSignal cancels the call", async () => {
    const ac = new AbortController();
    const call = createClient(InteropService, hanging()).bidiStream.open({ signal: ac.signal });
    ac.abort();
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Canceled });
  });

  it("an onReady handler that throws fails the call", async () => {
    const call = createClient(InteropService, hanging()).bidiStream.open();
    call.onReady(() => {
      throw new Error("bug");
    });
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Canceled });
  });

  it("an input iterable that throws fails the call with its error", async () => {
    const client = createClient(InteropService, hanging());
    async function* input() {
      yield { seq: 1 };
      throw new Error("input broke");
    }
    await expect(client.clientStream(input())).rejects.toMatchObject({ message: expect.stringMatching(/input broke/) });
  });

  it("a failing call stops pulling the input iterable and runs its return()", async () => {
    let pulled = 0;
    let returned = false;
    let pulledAfterReturn = 0;
    const input: AsyncIterable<{ seq: number }> = {
      [Symbol.asyncIterator]: () => ({
        next: async () => {
          if (returned) pulledAfterReturn++;
          await new Promise((r) => setTimeout(r, 1));
          return { done: false, value: { seq: pulled++ } };
        },
        return: async () => {
          returned = true;
          return { done: true, value: undefined };
        },
      }),
    };
    const client = createClient(InteropService, hanging());
    await expect(client.clientStream(input, { timeoutMs: 30 })).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    // return() is the pump's last act: once it ran, no next() may follow (checked by next itself).
    await vi.waitFor(() => expect(returned).toBe(true));
    await settle();
    expect(pulledAfterReturn).toBe(0);
    expect(pulled).toBeGreaterThan(0);
  });

  it("two responses to a client stream fail with Internal", async () => {
    const one = encodeEnvelope(0, toBinary(ClientStreamResponseSchema, create(ClientStreamResponseSchema, { count: 1 })));
    const client = createClient(InteropService, fakeTransport(async () => streamResponse([one, one, END_OK])));
    const call = client.clientStream.open();
    call.close();
    await expect(call.response).rejects.toMatchObject({ code: Code.Internal });
  });
});

describe("fetch transport: streaming request bodies refused by the runtime", () => {
  /**
   * A fetch that behaves like Chromium over HTTP/1.1: a streaming body fails with a bare
   * TypeError before any response; plain requests (HEAD, whole bodies) work.
   */
  function chromiumLikeH1() {
    const seen: string[] = [];
    const fetch = (async (url: string, init: RequestInit) => {
      if (init.body instanceof ReadableStream) {
        seen.push("stream");
        throw new TypeError("Failed to fetch");
      }
      seen.push(init.method ?? "GET");
      if (init.method === "HEAD") return new Response(null, { status: 405 });
      const count = (await readRequests(new Uint8Array(init.body as ArrayBuffer))).length;
      const res = uploadReply(count);
      return new Response(res.body, { status: 200, headers: res.headers });
    }) as unknown as typeof globalThis.fetch;
    return { seen, fetch };
  }

  it("falls back to one body, remembers it for the origin, and then fails bidi at once", async () => {
    const { seen, fetch } = chromiumLikeH1();
    const client = createClient(InteropService, createFetchTransport({ baseUrl: "http://h1.test", fetch }));
    const first = client.clientStream.open();
    expect(first.requestMode).toBe("streaming");
    for (let seq = 0; seq < 5; seq++) void first.send({ seq });
    first.close();
    expect((await first.response).count).toBe(5);
    expect(first.requestMode).toBe("buffered");
    expect(seen).toEqual(["stream", "HEAD", "POST"]);

    // The origin is remembered: the next client stream starts buffered, bidi fails without a request.
    const second = client.clientStream.open();
    expect(second.requestMode).toBe("buffered");
    second.close();
    expect((await second.response).count).toBe(0);
    const bidi = client.bidiStream.open();
    await expect(bidi.trailer).rejects.toMatchObject({ code: Code.Unimplemented });
    expect(seen).toEqual(["stream", "HEAD", "POST", "POST"]);
  });

  it("an unreachable origin is reported as Unavailable at once, not as a refused stream", async () => {
    const fetch = (async () => {
      throw new TypeError("fetch failed");
    }) as unknown as typeof globalThis.fetch;
    const client = createClient(InteropService, createFetchTransport({ baseUrl: "http://down.test", fetch }));
    const call = client.clientStream.open();
    void call.send({ seq: 0 });
    await expect(call.response).rejects.toMatchObject({ code: Code.Unavailable });
    expect(call.requestMode).toBe("streaming");
    expect(client.clientStream.open().requestMode).toBe("streaming");
  });
});
