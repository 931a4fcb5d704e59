// Protocol edge cases a real server will not produce, played by msw 2.x in front of Node's fetch.
// Every case must end in the right Code with a message naming the problem: never a hang, never an
// unhandled rejection, and a stream delivers every message received before the fault first.

import process from "node:process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { http, HttpResponse } from "msw";
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, createClient, createFetchTransport, TripleError, type FetchTransportOptions } from "triple-es";
import { encodeEnvelope } from "triple-es/internal";
import { json } from "triple-es/json";
import { gzip } from "triple-es/gzip";
import {
  InteropService,
  ServerStreamResponseSchema,
  UnaryResponseSchema,
} from "../gen/triple/interop/v1/interop_pb.js";

const ORIGIN = "http://edge.test";
const STREAM_URL = `${ORIGIN}/triple.interop.v1.InteropService/ServerStream`;
const UNARY_URL = `${ORIGIN}/triple.interop.v1.InteropService/Unary`;
const PROTO_STREAM = { "content-type": "application/connect+proto" };

const server = setupServer();

// Vitest reports unhandled rejections as errors too; this makes the rule explicit for this file.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
  server.listen({ onUnhandledRequest: "error" });
});
afterEach(async () => {
  server.resetHandlers();
  // Give late rejections (a body read after the call ended, a cancelled reader) a chance to surface:
  // Node reports them after each turn of the loop, so a few turns do it without a clock.
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  server.close();
  process.off("unhandledRejection", onUnhandled);
});

// ---------------------------------------------------------------------------------------------
// Building bodies.

const enc = new TextEncoder();

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** One message envelope of the stream's response type. */
const msg = (seq: number, flags = 0) =>
  encodeEnvelope(flags, toBinary(ServerStreamResponseSchema, create(ServerStreamResponseSchema, { seq })));
/** An end-of-stream envelope (flag 0x02) with this JSON text. */
const end = (text = "{}") => encodeEnvelope(0x02, enc.encode(text));
/** Just a 5-byte envelope header announcing `length` payload bytes. */
function header(flags: number, length: number): Uint8Array {
  return Uint8Array.of(flags, length >>> 24, (length >>> 16) & 0xff, (length >>> 8) & 0xff, length & 0xff);
}

/**
 * A response body that sends `chunks` one read at a time, then ends, stays open (`"open"`), or
 * breaks like a reset connection (`"error"`).
 */
function body(chunks: Uint8Array[], after: "close" | "open" | "error" = "close"): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (i < chunks.length) {
          controller.enqueue(chunks[i++]!);
          return;
        }
        if (after === "close") controller.close();
        else if (after === "error") controller.error(new TypeError("socket hang up (ECONNRESET)"));
        // "open": enqueue nothing and never close; the client must not wait for it.
        else return new Promise<void>(() => {});
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * The (msw-patched) global fetch, recording whether the client cancelled the response body.
 * msw itself cannot tell: it tees mocked bodies, so a cancel never reaches the handler's stream.
 */
function spyFetch() {
  let onCancel!: () => void;
  const cancelled = new Promise<void>((r) => (onCancel = r));
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const res = await globalThis.fetch(input, init);
    if (res.body === null) return res;
    const reader = res.body.getReader();
    const wrapped = new ReadableStream<Uint8Array>(
      {
        async pull(c) {
          const r = await reader.read();
          if (r.done) c.close();
          else c.enqueue(r.value);
        },
        cancel(reason) {
          onCancel();
          void reader.cancel(reason).catch(() => {});
        },
      },
      { highWaterMark: 0 },
    );
    return new Response(wrapped, { status: res.status, headers: res.headers });
  };
  return { fetch, cancelled };
}

/** Answers the stream method with `b` and these headers (a proto stream by default). */
type Reply = BodyInit | Uint8Array | null;

function streamReply(b: Reply, init: { status?: number; headers?: HeadersInit } = {}) {
  const headers = init.headers ?? PROTO_STREAM;
  server.use(http.post(STREAM_URL, () => new HttpResponse(b as BodyInit | null, { status: init.status ?? 200, headers })));
}

function unaryReply(b: Reply, init: { status?: number; headers?: HeadersInit } = {}) {
  const headers = init.headers ?? { "content-type": "application/proto" };
  server.use(http.post(UNARY_URL, () => new HttpResponse(b as BodyInit | null, { status: init.status ?? 200, headers })));
}

function client(options: Partial<FetchTransportOptions> = {}) {
  return createClient(InteropService, createFetchTransport({ baseUrl: ORIGIN, ...options }));
}

/** Runs a server stream to its end; returns the seqs received and the error it ended with. */
async function streamFailure(options: Partial<FetchTransportOptions> = {}, timeoutMs = 5_000) {
  const received: number[] = [];
  try {
    for await (const m of client(options).serverStream({ count: 1 }, { timeoutMs })) received.push(m.seq);
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return { received, error: e as TripleError };
  }
  throw new Error(`expected the stream to fail; received ${JSON.stringify(received)}`);
}

async function unaryFailure(options: Partial<FetchTransportOptions> = {}, timeoutMs = 5_000): Promise<TripleError> {
  try {
    await client(options).unary({ text: "x" }, { timeoutMs });
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return e as TripleError;
  }
  throw new Error("expected the unary call to fail");
}

// ---------------------------------------------------------------------------------------------
// Streams.

describe("server stream edge cases", () => {
  it("sanity: a well-formed body delivers its messages and ends OK", async () => {
    streamReply(body([msg(0), concat(msg(1), msg(2)), end('{"metadata":{"x-t":["v"]}}')]));
    let trailer: Headers | undefined;
    const got: number[] = [];
    for await (const m of client().serverStream({}, { onTrailer: (t) => (trailer = t) })) got.push(m.seq);
    expect(got).toEqual([0, 1, 2]);
    expect(trailer?.get("x-t")).toBe("v");
  });

  it("a body cut off inside an envelope is DataLoss, after the complete messages", async () => {
    const third = msg(3);
    streamReply(body([msg(0), msg(1), third.subarray(0, third.byteLength - 1)]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0, 1]);
    expect(error.code).toBe(Code.DataLoss);
    expect(error.rawMessage).toMatch(/ended inside a message/);
    expect(error.rawMessage).toMatch(/cut off/);
  });

  it("a body cut off inside an envelope header is DataLoss", async () => {
    streamReply(body([msg(0), Uint8Array.of(0, 0)]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.DataLoss);
    expect(error.rawMessage).toMatch(/2 of 5\+ bytes/);
  });

  it("unknown envelope flags are Internal, naming the flags", async () => {
    streamReply(body([msg(0), msg(1, 0x04), end()]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/invalid envelope flags 0x04/);
  });

  it("a length prefix over the read limit is ResourceExhausted before the payload arrives (body left open)", async () => {
    streamReply(body([msg(0), header(0, 5 * 1024 * 1024)], "open"));
    const spy = spyFetch();
    const { received, error } = await streamFailure({ fetch: spy.fetch }, 10_000);
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/5242880 bytes exceeds the read limit of 4194304 bytes/);
    expect(error.rawMessage).toMatch(/readMaxBytes/);
    // The client gave up on the body instead of waiting for 5 MiB that will never come.
    await spy.cancelled;
  });

  it("honours a configured readMaxBytes, and keeps messages that shared the chunk with the oversized header", async () => {
    streamReply(body([concat(msg(0), msg(1), header(0, 1001))], "open"));
    const spy = spyFetch();
    const { received, error } = await streamFailure({ readMaxBytes: 1000, fetch: spy.fetch });
    expect(received).toEqual([0, 1]);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/1001 bytes exceeds the read limit of 1000 bytes/);
    await spy.cancelled;
  });

  it("a body that ends without the end-of-stream frame is an error, after the messages", async () => {
    streamReply(body([msg(0), msg(1)]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0, 1]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/without an end-of-stream frame/);
  });

  it("a message after the end-of-stream frame is an error", async () => {
    streamReply(body([msg(0), end(), msg(1)]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/message arrived after the end-of-stream frame/);
  });

  it("a second end-of-stream frame is an error", async () => {
    streamReply(body([concat(msg(0), end(), end())]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/second end-of-stream frame/);
  });

  it("a compressed flag without a negotiated encoding is Internal", async () => {
    streamReply(body([msg(0), msg(1, 0x01), end()]));
    const { received, error } = await streamFailure({ compression: { accept: [gzip] } });
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/flagged compressed but the response named no Connect-Content-Encoding/);
  });

  it("an encoding the client did not offer is Internal, naming it", async () => {
    streamReply(body([msg(0), end()]), { headers: { ...PROTO_STREAM, "connect-content-encoding": "br" } });
    const { received, error } = await streamFailure({ compression: { accept: [gzip] } });
    expect(received).toEqual([]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/"br", which this client did not offer/);
  });

  it("a proxy's HTML 502 is Unavailable and quotes the page", async () => {
    streamReply("<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1><hr>nginx</body></html>", {
      status: 502,
      headers: { "content-type": "text/html" },
    });
    const { received, error } = await streamFailure();
    expect(received).toEqual([]);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/^HTTP 502/);
    expect(error.rawMessage).toMatch(/text\/html/);
    expect(error.rawMessage).toMatch(/502 Bad Gateway/);
  });

  it("a 200 with text/html is an error naming the content type and quoting the body", async () => {
    streamReply("<!doctype html><title>Login</title><p>Please sign in</p>", { headers: { "content-type": "text/html" } });
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/unexpected response content type "text\/html"/);
    expect(error.rawMessage).toMatch(/application\/connect\+proto/);
    expect(error.rawMessage).toMatch(/Please sign in/);
  });

  it("a 200 with a unary content type on a stream is an error naming it", async () => {
    streamReply(msg(0), { headers: { "content-type": "application/proto" } });
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/unexpected response content type "application\/proto"/);
  });

  it("a 200 stream in JSON when binary was asked for is an error naming it", async () => {
    streamReply(body([end()]), { headers: { "content-type": "application/connect+json" } });
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/"application\/connect\+json" \(expected application\/connect\+proto\)/);
  });

  it("an empty 404 is Unimplemented", async () => {
    streamReply(null, { status: 404, headers: {} });
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Unimplemented);
    expect(error.rawMessage).toMatch(/HTTP 404 with an empty body/);
  });

  it("an end-of-stream frame that is not JSON is Internal, after the messages", async () => {
    streamReply(body([msg(0), end("{not json")]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/end-of-stream frame is not valid JSON/);
  });

  it("an end-of-stream frame that is JSON but not an object is Internal", async () => {
    streamReply(body([end("[1,2]")]));
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/not a JSON object/);
  });

  it("an end-of-stream error keeps its code, message and metadata, after the messages", async () => {
    streamReply(body([msg(0), msg(1), end('{"error":{"status":8,"message":"slow down"},"metadata":{"x-m":["a"]}}')]), {
      headers: { ...PROTO_STREAM, "x-h": "h" },
    });
    const { received, error } = await streamFailure();
    expect(received).toEqual([0, 1]);
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toBe("slow down");
    expect(error.metadata.get("x-m")).toBe("a");
    expect(error.metadata.get("x-h")).toBe("h");
  });

  it("a network error mid-body is Unavailable, after the messages", async () => {
    streamReply(body([msg(0), msg(1)], "error"));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0, 1]);
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/connection failed while reading the response/);
    expect(error.rawMessage).toMatch(/ECONNRESET/);
  });

  it("a network error before any response is Unavailable, naming the URL", async () => {
    server.use(http.post(STREAM_URL, () => HttpResponse.error()));
    const { error } = await streamFailure();
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toContain(`cannot reach ${STREAM_URL}`);
  });

  it("an unparseable message is Internal, after the messages before it", async () => {
    streamReply(body([msg(0), encodeEnvelope(0, Uint8Array.of(0xff, 0xff, 0xff)), end()]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/failed to parse a response message/);
  });

  it("a server that stalls mid-stream is cut by the deadline, after the messages", async () => {
    streamReply(body([msg(0)], "open"));
    const spy = spyFetch();
    const { received, error } = await streamFailure({ fetch: spy.fetch }, 300);
    expect(received).toEqual([0]);
    expect(error.code).toBe(Code.DeadlineExceeded);
    await spy.cancelled;
  });

  it("an abort while the server stalls is Canceled at once, even though msw never errors the body", async () => {
    streamReply(body([msg(0)], "open"));
    const spy = spyFetch();
    const ac = new AbortController();
    const received: number[] = [];
    // No clock: without the fix this call never ends, and the test's timeout reports the hang.
    const error = await (async () => {
      try {
        for await (const m of client({ fetch: spy.fetch }).serverStream({}, { signal: ac.signal })) {
          received.push(m.seq);
          setTimeout(() => ac.abort(), 50);
        }
      } catch (e) {
        return e as TripleError;
      }
      throw new Error("expected the stream to fail");
    })();
    expect(received).toEqual([0]);
    expect(error).toBeInstanceOf(TripleError);
    expect(error.code).toBe(Code.Canceled);
    await spy.cancelled;
  });

  it("the messages of one chunk before a bad envelope are all delivered first", async () => {
    streamReply(body([concat(msg(0), msg(1), msg(2), msg(3, 0x80), end())]));
    const { received, error } = await streamFailure();
    expect(received).toEqual([0, 1, 2]);
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/0x80/);
  });
});

// ---------------------------------------------------------------------------------------------
// Unary.

describe("unary edge cases", () => {
  const ok = toBinary(UnaryResponseSchema, create(UnaryResponseSchema, { text: "ok" }));

  it("sanity: a well-formed answer parses", async () => {
    unaryReply(ok);
    await expect(client().unary({ text: "x" })).resolves.toMatchObject({ text: "ok" });
  });

  it("a malformed protobuf body is Internal, naming the parse failure", async () => {
    unaryReply(Uint8Array.of(0x0a, 0x10, 0x41)); // field 1, length 16, then only one byte
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Internal);
    expect(error.rawMessage).toMatch(/failed to parse the response message/);
  });

  it("a body over readMaxBytes is ResourceExhausted, without waiting for the rest", async () => {
    unaryReply(body([new Uint8Array(600), new Uint8Array(600)], "open"));
    const spy = spyFetch();
    const error = await unaryFailure({ readMaxBytes: 1000, fetch: spy.fetch });
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/exceeds the read limit of 1000 bytes/);
    await spy.cancelled;
  });

  it("a 200 with application/json on a proto call is an error naming the content type", async () => {
    unaryReply('{"text":"ok"}', { headers: { "content-type": "application/json" } });
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/unexpected response content type "application\/json" \(expected application\/proto\)/);
  });

  it("a 200 with application/proto on a JSON call is an error naming the content type", async () => {
    unaryReply(ok);
    const error = await unaryFailure({ format: json() });
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/"application\/proto" \(expected application\/json\)/);
  });

  it("a 200 with text/html is an error quoting the body", async () => {
    unaryReply("<html><body>Access denied by corporate proxy</body></html>", { headers: { "content-type": "text/html" } });
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unknown);
    expect(error.rawMessage).toMatch(/"text\/html"/);
    expect(error.rawMessage).toMatch(/Access denied by corporate proxy/);
  });

  it("a proxy's HTML 502 is Unavailable and quotes the page", async () => {
    unaryReply("<html><body><h1>502 Bad Gateway</h1></body></html>", { status: 502, headers: { "content-type": "text/html" } });
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/HTTP 502 with text\/html body: .*502 Bad Gateway/);
  });

  it("an empty 404 is Unimplemented", async () => {
    unaryReply(null, { status: 404, headers: {} });
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unimplemented);
    expect(error.rawMessage).toMatch(/HTTP 404 with an empty body/);
  });

  it("a JSON error body that is not a Triple error falls back to the HTTP status and quotes it", async () => {
    unaryReply('{"oops":true}', { status: 503, headers: { "content-type": "application/json" } });
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/HTTP 503 .*oops/);
  });

  it("a network error mid-body is Unavailable", async () => {
    unaryReply(body([ok.subarray(0, 2)], "error"));
    const error = await unaryFailure();
    expect(error.code).toBe(Code.Unavailable);
    expect(error.rawMessage).toMatch(/ECONNRESET/);
  });

  it("a server that stalls in the body is cut by the deadline", async () => {
    unaryReply(body([ok.subarray(0, 2)], "open"));
    const spy = spyFetch();
    const error = await unaryFailure({ fetch: spy.fetch }, 300);
    expect(error.code).toBe(Code.DeadlineExceeded);
    await spy.cancelled;
  });
});
