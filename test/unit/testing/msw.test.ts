// tripleHandlers in front of Node's fetch (msw 2.x), driven by the SDK's real fetch transport and
// generated client; then the same raw requests to the real dubbo-js server and to the mock, to
// show the mock answers in the server's shapes (status, content type, envelope flags, error JSON).

import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from "vitest";
import { setupServer } from "msw/node";
import { create, toBinary, toJsonString } from "@bufbuild/protobuf";
import { Code, createFetchTransport } from "triple-es";
import { encodeEnvelope, EnvelopeParser, type Envelope } from "triple-es/internal";
import { json } from "triple-es/json";
import { tripleHandlers } from "triple-es/testing";
import {
  ErrorDetailSchema,
  InteropService,
  ServerStreamRequestSchema,
  UnaryRequestSchema,
} from "../../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { interopImpl, newProbe } from "./fixtures.js";
import { caught } from "../../support/caught.js";

const MOCK = "http://mock.test";
let probe = newProbe();
const server = setupServer();

beforeAll(() => server.listen({ onUnhandledRequest: "bypass" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

function use(options: { delayMs?: number } = {}) {
  probe = newProbe();
  server.use(...tripleHandlers(InteropService, interopImpl(probe), { baseUrl: MOCK, ...options }));
}

describe.each([
  ["binary", {}],
  ["json", { format: json() }],
] as const)("msw handlers (%s)", (_name, options) => {
  const client = () => createInteropServiceClient(createFetchTransport({ baseUrl: MOCK, ...options }));

  it("unary with headers and trailers", async () => {
    use();
    let trailer: Headers | undefined;
    const res = await client().unary({ text: "hi" }, { headers: { "x-echo-a": "b" }, onTrailer: (t) => (trailer = t) });
    expect(res.text).toBe("hi");
    expect(trailer?.get("x-echo-a")).toBe("b");
  });

  it("server stream, then its trailers", async () => {
    use();
    const call = client().serverStream.open({ count: 4, size: 2 }, { headers: { "x-echo-k": "v" } });
    const seqs: number[] = [];
    const reader = call.responses.getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) seqs.push(r.value.seq);
    expect(seqs).toEqual([0, 1, 2, 3]);
    expect((await call.header).get("x-echo-k")).toBe("v");
    expect((await call.trailer).get("x-echo-k")).toBe("v");
  });

  it("client stream", async () => {
    use();
    const res = await client().clientStream([{ seq: 1 }, { seq: 2 }, { seq: 3, payload: new Uint8Array(7) }]);
    expect(res).toMatchObject({ count: 3, bytes: 7n, firstSeq: 1, lastSeq: 3, inOrder: true });
  });

  it("bidi as one body: every request sent, then every response", async () => {
    use();
    const seqs: number[] = [];
    for await (const m of client().bidiStream([{ seq: 5 }, { seq: 6 }])) seqs.push(m.seq);
    expect(seqs).toEqual([5, 6]);
  });

  it("errors with code, message, metadata and details", async () => {
    use();
    const spec = { code: Code.FailedPrecondition, message: "not now", metadata: { "x-m": "v" }, detailReason: "r" };
    const unary = await caught(client().unary({ error: spec }));
    expect([unary.code, unary.rawMessage, unary.metadata.get("x-m")]).toEqual([Code.FailedPrecondition, "not now", "v"]);
    expect(unary.findDetails(ErrorDetailSchema)).toMatchObject([{ reason: "r", retryAfterMs: 250 }]);
    const seqs: number[] = [];
    const stream = await caught(
      (async () => {
        for await (const m of client().serverStream({ count: 5, errorAfter: 1, error: spec })) seqs.push(m.seq);
      })(),
    );
    expect(seqs).toEqual([0]);
    expect([stream.code, stream.metadata.get("x-m")]).toEqual([Code.FailedPrecondition, "v"]);
  });
});

describe("msw handlers", () => {
  const client = () => createInteropServiceClient(createFetchTransport({ baseUrl: MOCK }));

  it("abort ends the call Canceled and reaches the handler", async () => {
    use();
    const ac = new AbortController();
    const p = caught(client().unary({ delayMs: 60_000 }, { signal: ac.signal }));
    while (probe.requestHeader === undefined) await new Promise((r) => setImmediate(r));
    ac.abort();
    expect((await p).code).toBe(Code.Canceled);
    expect((await probe.abortedOnce).code).toBe(Code.Canceled);
  });

  it("a method without a handler is Unimplemented", async () => {
    server.use(...tripleHandlers(InteropService, {}, { baseUrl: MOCK }));
    expect((await caught(client().getStreamStats({}))).code).toBe(Code.Unimplemented);
  });
});

// ---------------------------------------------------------------------------------------------
// One recorded exchange each, against the real dubbo-js server and the mock.

interface Shape {
  status: number;
  contentType: string | null;
  flags: number[];
  /** Error JSON (unary body or end-stream frame) with values replaced by their types. */
  json: unknown;
}

function typesOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(typesOf);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, typesOf(v)]));
  }
  return typeof value;
}

async function shapeOf(res: Response, stream: boolean): Promise<Shape> {
  const bytes = new Uint8Array(await res.arrayBuffer());
  const contentType = res.headers.get("content-type");
  if (!stream) {
    const text = new TextDecoder().decode(bytes);
    return { status: res.status, contentType, flags: [], json: res.status === 200 ? "message" : typesOf(JSON.parse(text)) };
  }
  const envelopes: Envelope[] = [];
  const parser = new EnvelopeParser();
  parser.push(bytes, (e) => envelopes.push(e));
  parser.end();
  const last = envelopes[envelopes.length - 1]!;
  return { status: res.status, contentType, flags: envelopes.map((e) => e.flags), json: typesOf(JSON.parse(new TextDecoder().decode(last.data))) };
}

describe("the mock's wire matches the real dubbo-js server", () => {
  const errorSpec = { code: 7, message: "no", metadata: { "x-m": "v" }, detailReason: "why" };
  const unaryBody = toBinary(UnaryRequestSchema, create(UnaryRequestSchema, { text: "a", error: errorSpec }));
  const streamBody = (format: "proto" | "json") => {
    const msg = create(ServerStreamRequestSchema, { count: 3, size: 2, errorAfter: 2, error: errorSpec });
    return encodeEnvelope(0, format === "proto" ? toBinary(ServerStreamRequestSchema, msg) : new TextEncoder().encode(toJsonString(ServerStreamRequestSchema, msg)));
  };
  const exchanges: [string, string, HeadersInit, Uint8Array, boolean][] = [
    ["unary ok", "Unary", { "content-type": "application/proto" }, toBinary(UnaryRequestSchema, create(UnaryRequestSchema, { text: "a" })), false],
    ["unary error with details", "Unary", { "content-type": "application/proto" }, unaryBody, false],
    ["unary with a stream content type", "Unary", { "content-type": "application/connect+proto" }, unaryBody, false],
    ["server stream, error after 2 (proto)", "ServerStream", { "content-type": "application/connect+proto", "x-echo-a": "b" }, streamBody("proto"), true],
    ["server stream, error after 2 (json)", "ServerStream", { "content-type": "application/connect+json" }, streamBody("json"), true],
  ];

  it.each(exchanges)("%s", async (_name, method, headers, body, stream) => {
    use();
    const send = (base: string) => fetch(`${base}/triple.interop.v1.InteropService/${method}`, { method: "POST", headers, body: body as BodyInit });
    const realRes = await send(inject("dubbo").h1);
    const mockRes = await send(MOCK);
    if (realRes.status === 415) {
      expect(mockRes.status).toBe(415);
      expect(await mockRes.text()).toBe(await realRes.text());
      return;
    }
    const [real, mock] = [await shapeOf(realRes, stream), await shapeOf(mockRes, stream)];
    expect(mock).toEqual(real);
  });
});
