// Every call kind through the SDK's WebTransport transport in Chromium → the Deno gateway →
// dubbo-js, in binary and JSON: messages, errors with codes, metadata and details, headers and
// trailers, deadlines, cancellation (the upstream handler sees it), and the full-duplex ping-pong
// that fetch cannot do.

import { afterAll, describe, expect, it } from "vitest";
import { Code, appendBinaryHeader, getBinaryHeader } from "triple-es";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import { ErrorDetailSchema } from "../../gen/triple/interop/v1/interop_pb.js";
import { caught, gatewayTransport, interop, sleep, statsWhen, uniqueId } from "./support.js";
import { GROWING_DEADLINE_CASE_MS, withGrowingDeadline } from "../../support/growing-deadline.js";

const formats = [
  ["binary", undefined],
  ["json", json()],
] as const;

describe.each(formats)("WebTransport, %s", (name, format) => {
  const transport = gatewayTransport(format ? { format } : {});
  const client = interop(transport);
  afterAll(() => transport.close());

  it("is full duplex: a ping-pong of 200 messages, each sent after the previous reply", async () => {
    expect(transport.requestStreaming).toBe("full-duplex");
    await client.unary({}); // the session is open; time the calls alone
    const t0 = performance.now();
    const call = client.bidiStream.open();
    const reader = call.responses.getReader();
    for (let seq = 0; seq < 200; seq++) {
      void call.send({ seq, payload: Uint8Array.of(seq & 0xff) });
      const r = await reader.read();
      expect(r.value?.seq ?? 0).toBe(seq);
      expect(Array.from(r.value!.payload)).toEqual([seq & 0xff]);
    }
    call.close();
    expect((await reader.read()).done).toBe(true);
    await call.trailer;
    const ms = performance.now() - t0;
    console.log(`[wt ${name}] ping-pong of 200 messages: ${ms.toFixed(0)} ms (${((ms / 200) * 1000).toFixed(0)} µs per round trip)`);
  });

  it("unary: round trip, request headers, response headers and trailers (with -bin values)", async () => {
    const headers = new Headers({ "x-echo-plain": "value 1", "x-other": "o" });
    const binary = Uint8Array.of(0, 1, 2, 250, 255);
    appendBinaryHeader(headers, "x-echo-data-bin", binary);
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const res = await client.unary(
      { text: "hello", payload: Uint8Array.of(1, 2, 3) },
      { headers, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    );
    expect(res.text).toBe("hello");
    expect(Array.from(res.payload)).toEqual([1, 2, 3]);
    expect(res.requestHeaders["x-other"]).toBe("o");
    expect(res.requestHeaders["tri-protocol-version"]).toBe("1.0.0");
    expect(header?.get("x-echo-plain")).toBe("value 1");
    expect(trailer?.get("x-echo-plain")).toBe("value 1");
    expect(Array.from(getBinaryHeader(trailer!, "x-echo-data-bin")!)).toEqual(Array.from(binary));
  });

  it("unary: every error code with its message, metadata and details", async () => {
    for (const code of [Code.InvalidArgument, Code.NotFound, Code.PermissionDenied, Code.ResourceExhausted, Code.Unavailable, Code.Unauthenticated]) {
      const err = await caught(client.unary({ error: { code, message: `failure ${code}`, metadata: { "x-err": `v${code}` } } }));
      expect(err.code).toBe(code);
      expect(err.rawMessage).toBe(`failure ${code}`);
      expect(err.metadata.get("x-err")).toBe(`v${code}`);
    }
    const err = await caught(client.unary({ error: { code: Code.FailedPrecondition, message: "m", detailReason: "quota" } }));
    expect(err.findDetails(ErrorDetailSchema)[0]?.reason).toBe("quota");
  });

  it("server stream: messages in order, headers and trailers", async () => {
    let header: Headers | undefined;
    let trailer: Headers | undefined;
    const seqs: number[] = [];
    for await (const m of client.serverStream(
      { count: 50, size: 100 },
      { headers: { "x-echo-k": "v" }, onHeader: (h) => (header = h), onTrailer: (t) => (trailer = t) },
    )) {
      expect(m.payload.byteLength).toBe(100);
      seqs.push(m.seq);
    }
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(header?.get("x-echo-k")).toBe("v");
    expect(trailer?.get("x-echo-k")).toBe("v");
  });

  it("server stream: an error after some messages, with code, metadata and details", async () => {
    const seqs: number[] = [];
    const err = await caught(
      (async () => {
        for await (const m of client.serverStream({
          count: 10,
          errorAfter: 3,
          error: { code: Code.ResourceExhausted, message: "too much", metadata: { "x-m": "v" }, detailReason: "r" },
        })) {
          seqs.push(m.seq);
        }
      })(),
    );
    expect(seqs).toEqual([0, 1, 2]);
    expect(err.code).toBe(Code.ResourceExhausted);
    expect(err.rawMessage).toBe("too much");
    expect(err.metadata.get("x-m")).toBe("v");
    expect(err.findDetails(ErrorDetailSchema)[0]?.reason).toBe("r");
  });

  it("client stream: 500 messages arrive complete and in order; headers and trailers", async () => {
    let trailer: Headers | undefined;
    const call = client.clientStream.open({ headers: { "x-echo-up": "1" }, onTrailer: (t) => (trailer = t) });
    expect(call.requestMode).toBe("streaming");
    for (let seq = 0; seq < 500; seq++) {
      if (!call.isReady) await call.ready;
      void call.send({ seq, payload: new Uint8Array(64) });
    }
    call.close();
    const res = await call.response;
    expect(res).toMatchObject({ count: 500, firstSeq: 0, lastSeq: 499, inOrder: true });
    expect(Number(res.bytes)).toBe(500 * 64);
    expect(trailer?.get("x-echo-up")).toBe("1");
  });

  it("client stream: a server error with code and metadata", async () => {
    const err = await caught(
      client.clientStream([{ seq: 0 }, { seq: 1, error: { code: Code.AlreadyExists, message: "dup", metadata: { "x-e": "1" } } }]),
    );
    expect(err.code).toBe(Code.AlreadyExists);
    expect(err.metadata.get("x-e")).toBe("1");
  });

  it("bidi: the async-iterable form, and a server error after the replies before it", async () => {
    async function* requests() {
      for (let seq = 0; seq < 100; seq++) yield { seq };
    }
    const seen: number[] = [];
    for await (const r of client.bidiStream(requests())) seen.push(r.seq);
    expect(seen).toEqual(Array.from({ length: 100 }, (_, i) => i));

    const call = client.bidiStream.open();
    void call.send({ seq: 0 });
    void call.send({ seq: 1, error: { code: Code.Aborted, message: "stop", metadata: { "x-b": "2" } } });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    const err = await caught(reader.read());
    expect(err.code).toBe(Code.Aborted);
    expect(err.metadata.get("x-b")).toBe("2");
  });

  it("served every call on one session", () => {
    expect(transport.sessionsOpened).toBe(1);
  });
});

describe("WebTransport with gzip and interceptors (the same options as fetch)", () => {
  const transport = gatewayTransport({
    compression: { accept: [gzip], send: gzip, minBytes: 100 },
    interceptors: [
      (next) => async (req) => {
        req.header.set("x-echo-intercepted", "yes");
        return next(req);
      },
    ],
  });
  const client = interop(transport);
  afterAll(() => transport.close());

  it("compresses stream messages both ways and unary requests; interceptors see every call", async () => {
    const payload = new Uint8Array(8 * 1024).fill(3);
    const res = await client.unary({ payload });
    expect(res.payload.byteLength).toBe(payload.byteLength);
    expect(res.requestHeaders["content-encoding"]).toBe("gzip");
    expect(res.requestHeaders["x-echo-intercepted"]).toBe("yes");

    let header: Headers | undefined;
    const call = client.bidiStream.open({ onHeader: (h) => (header = h) });
    const reader = call.responses.getReader();
    for (let seq = 0; seq < 20; seq++) {
      void call.send({ seq, payload });
      const r = await reader.read();
      expect(r.value?.seq ?? 0).toBe(seq);
      expect(r.value?.payload.byteLength).toBe(payload.byteLength);
    }
    call.close();
    expect((await reader.read()).done).toBe(true);
    expect(header?.get("connect-content-encoding")).toBe("gzip");
  });
});

describe("WebTransport deadlines and cancellation (the upstream handler sees the cancel)", () => {
  const transport = gatewayTransport();
  const client = interop(transport);
  afterAll(() => transport.close());

  it("sends the deadline upstream, and a slow unary call ends with DeadlineExceeded", async () => {
    const res = await client.unary({}, { timeoutMs: 5000 });
    expect(res.timeoutMs).toBeGreaterThan(4000);
    expect(res.timeoutMs).toBeLessThanOrEqual(5000);
    // No clock: a call that waited for the server would have ended with its answer (OK).
    const err = await caught(client.unary({ delayMs: 3000 }, { timeoutMs: 200 }));
    expect(err.code).toBe(Code.DeadlineExceeded);
  });

  it("a server stream past its deadline: DeadlineExceeded, and the producer stops", async () => {
    // The first message at once, the second long after the deadline: mid-stream, one message (the
    // deadline grows from 2 s while a busy machine delivers nothing before it).
    let streamId = "";
    const { err, seqs } = await withGrowingDeadline(async (timeoutMs) => {
      streamId = uniqueId("deadline");
      const seqs: number[] = [];
      const err = await caught(
        (async () => {
          for await (const m of client.serverStream({ count: 2, delayMs: 60_000, streamId }, { timeoutMs })) seqs.push(m.seq);
        })(),
      );
      return { err, seqs, received: seqs.length };
    });
    expect(err.code).toBe(Code.DeadlineExceeded);
    expect(seqs).toEqual([0]);
    const s = await statsWhen(client, streamId, (x) => x.cancelled);
    expect(s.cancelled).toBe(true);
    expect(s.produced).toBe(1);
  }, GROWING_DEADLINE_CASE_MS);

  it("aborting a unary call: Canceled at once", async () => {
    const ac = new AbortController();
    // Aborted once the call was handed to the transport: an event, not a guess at timing.
    const aborting = gatewayTransport({
      interceptors: [
        (next) => (req) => {
          const res = next(req);
          ac.abort();
          return res;
        },
      ],
    });
    try {
      // Canceled, not the server's OK after 3 s: the abort ended the call, whatever the clock says.
      const err = await caught(interop(aborting).unary({ delayMs: 3000 }, { signal: ac.signal }));
      expect(err.code).toBe(Code.Canceled);
    } finally {
      aborting.close();
    }
  });

  it("aborting a server stream: Canceled, and the upstream handler is cancelled", async () => {
    const streamId = uniqueId("abort-ss");
    const ac = new AbortController();
    const seqs: number[] = [];
    const err = await caught(
      (async () => {
        for await (const m of client.serverStream({ count: 1000, delayMs: 20, streamId }, { signal: ac.signal })) {
          seqs.push(m.seq);
          if (seqs.length === 3) ac.abort();
        }
      })(),
    );
    expect(err.code).toBe(Code.Canceled);
    const s = await statsWhen(client, streamId, (x) => x.cancelled);
    expect(s.cancelled).toBe(true);
  });

  it("leaving a for-await loop early cancels the server stream upstream", async () => {
    const streamId = uniqueId("break");
    for await (const m of client.serverStream({ count: 1000, delayMs: 20, streamId })) {
      if (m.seq === 2) break;
    }
    const s = await statsWhen(client, streamId, (x) => x.cancelled);
    expect(s.cancelled).toBe(true);
  });

  it("call.cancel() on a bidi call while the request side is open: the upstream handler is cancelled", async () => {
    const streamId = uniqueId("cancel-bidi");
    const call = client.bidiStream.open();
    const reader = call.responses.getReader();
    for (let seq = 0; seq < 3; seq++) {
      void call.send({ seq, streamId });
      expect((await reader.read()).value?.seq).toBe(seq);
    }
    call.cancel();
    const err = await caught(call.trailer);
    expect(err.code).toBe(Code.Canceled);
    const s = await statsWhen(client, streamId, (x) => x.cancelled);
    expect(s).toMatchObject({ cancelled: true, consumed: 3 });
  });

  it("cancelling a client stream held upstream: the upstream handler is cancelled", async () => {
    const streamId = uniqueId("cancel-cs");
    const holdId = uniqueId("hold");
    const call = client.clientStream.open();
    void call.send({ seq: 0, streamId, holdId });
    await statsWhen(client, streamId, (x) => x.known);
    await sleep(50);
    call.cancel();
    expect((await caught(call.response)).code).toBe(Code.Canceled);
    const s = await statsWhen(client, streamId, (x) => x.cancelled);
    expect(s.cancelled).toBe(true);
    await client.releaseHold({ holdId });
  });

  it("served every call, cancelled ones included, on one session", () => {
    expect(transport.sessionsOpened).toBe(1);
  });
});
