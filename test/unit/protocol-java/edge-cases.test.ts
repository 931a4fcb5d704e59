// Dubbo Java dialect edge cases a real Java server will not produce, played by msw 2.x in front of
// Node's fetch (what the real server does is proven in test/interop/java/). Every case ends in the
// right Code, never a hang or an unhandled rejection, after every message received before it.

import process from "node:process";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { setupServer } from "msw/node";
import { http, HttpResponse } from "msw";
import { Code, createClient, createFetchTransport, TripleError, type FetchTransportOptions } from "triple-es";
import { json } from "triple-es/json";
import { dubboJava } from "triple-es/protocol-java";
import { dubboGo } from "triple-es/protocol-go";
import { CamelInteropService } from "../../gen/triple/interop/v1/interop_pb.js";

const ORIGIN = "http://java.test";
const STREAM_URL = `${ORIGIN}/triple.interop.v1.CamelInteropService/serverStream`;
const UNARY_URL = `${ORIGIN}/triple.interop.v1.CamelInteropService/unary`;
const SSE = { "content-type": "text/event-stream" };
const enc = new TextEncoder();

const server = setupServer();
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
const requests: Request[] = [];

beforeAll(() => {
  process.on("unhandledRejection", onUnhandled);
  server.listen({ onUnhandledRequest: "error" });
  server.events.on("request:start", ({ request }) => requests.push(request));
});
afterEach(() => {
  server.resetHandlers();
  requests.length = 0;
  expect(unhandled).toEqual([]);
});
afterAll(() => {
  server.close();
  process.off("unhandledRejection", onUnhandled);
});

/** A body that hands out `chunks` one read at a time and counts the reads, then closes or stays open. */
function body(chunks: string[], after: "close" | "open" = "close") {
  const state = { pulls: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (state.pulls < chunks.length) {
          controller.enqueue(enc.encode(chunks[state.pulls++]!));
          return;
        }
        if (after === "close") controller.close();
        else return new Promise<void>(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, state };
}

const event = (seq: number) => `data:{"seq":${seq}}\n\n`;

function client(options: Partial<FetchTransportOptions> = {}) {
  return createClient(CamelInteropService, createFetchTransport({ baseUrl: ORIGIN, format: json(), protocol: dubboJava(), ...options }));
}

function replyStream(b: BodyInit | null, init: { status?: number; headers?: HeadersInit } = {}) {
  server.use(http.post(STREAM_URL, () => new HttpResponse(b, { status: init.status ?? 200, headers: init.headers ?? SSE })));
}

async function run(options: Partial<FetchTransportOptions> = {}) {
  const received: number[] = [];
  try {
    for await (const m of client(options).serverStream({ count: 3 }, { timeoutMs: 5_000 })) received.push(m.seq);
  } catch (e) {
    expect(e).toBeInstanceOf(TripleError);
    return { received, error: e as TripleError };
  }
  return { received, error: undefined };
}

describe("Dubbo Java server streams (SSE)", () => {
  it("sends the request as Java routes it: bare JSON, application/json, the Triple timeout, no event-stream Accept", async () => {
    replyStream(body([event(0), event(1)]).stream);
    expect(await run()).toEqual({ received: [0, 1], error: undefined });
    const req = requests[0]!;
    expect(req.headers.get("content-type")).toBe("application/json");
    expect(req.headers.get("tri-service-timeout")).toMatch(/^\d+$/);
    expect(req.headers.has("triple-timeout-ms")).toBe(false);
    expect(req.headers.get("accept") ?? "").not.toMatch(/event-stream/);
    expect(await req.text()).toBe('{"count":3}');
  });

  it("an error event mid-stream ends the call with its code and text, after the messages", async () => {
    replyStream(body([event(0) + event(1), 'data:{"message":"RESOURCE_EXHAUSTED : quota","status":"429"}\n\n']).stream);
    const { received, error } = await run();
    expect(received).toEqual([0, 1]);
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(error?.rawMessage).toBe("quota");
  });

  it("a body cut off inside an event is DataLoss, after the complete messages", async () => {
    replyStream(body([event(0), 'data:{"se']).stream);
    const { received, error } = await run();
    expect(received).toEqual([0]);
    expect(error?.code).toBe(Code.DataLoss);
  });

  it("a body cut off between events ends cleanly: Java sends no end event, so nothing can tell", async () => {
    replyStream(body([event(0)]).stream);
    expect(await run()).toEqual({ received: [0], error: undefined });
  });

  it("an event over readMaxBytes is ResourceExhausted", async () => {
    replyStream(body([event(0), `data:{"text":"${"x".repeat(2000)}"}\n\n`]).stream);
    const { received, error } = await run({ readMaxBytes: 1000 });
    expect(received).toEqual([0]);
    expect(error?.code).toBe(Code.ResourceExhausted);
  });

  it("reads the network only as the consumer pulls", async () => {
    const { stream, state } = body(Array.from({ length: 50 }, (_, i) => event(i)), "open");
    replyStream(stream);
    const call = client().serverStream.open({ count: 50 });
    const reader = call.responses.getReader();
    expect((await reader.read()).value?.seq).toBe(0);
    expect((await reader.read()).value?.seq).toBe(1);
    // Two messages read; at most the stream's one-message queue and one network read ahead.
    expect(state.pulls).toBeLessThanOrEqual(4);
    call.cancel();
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Canceled });
  });

  it("a proxy's HTML 502 is Unavailable and quotes the page", async () => {
    replyStream("<html><body>Bad Gateway</body></html>", { status: 502, headers: { "content-type": "text/html" } });
    const { error } = await run();
    expect(error?.code).toBe(Code.Unavailable);
    expect(error?.rawMessage).toMatch(/Bad Gateway/);
  });

  it("a 200 that is not an event stream names the content type", async () => {
    replyStream("<html>portal</html>", { headers: { "content-type": "text/html" } });
    const { error } = await run();
    expect(error?.code).toBe(Code.Unknown);
    expect(error?.rawMessage).toMatch(/unexpected response content type "text\/html" \(expected text\/event-stream\)/);
  });
});

describe("Dubbo Java unary", () => {
  it("a 200 that is not JSON names the content type", async () => {
    server.use(http.post(UNARY_URL, () => new HttpResponse("text: \"x\"", { headers: { "content-type": "text/plain" } })));
    await expect(client().unary({ text: "x" })).rejects.toMatchObject({ code: Code.Unknown, rawMessage: expect.stringMatching(/expected application\/json/) });
  });
});

describe("what a dialect cannot carry fails before anything is sent", () => {
  it("Java: binary, client streams and bidi are Unimplemented, naming what works", async () => {
    const binary = client({ format: "binary" });
    await expect(binary.unary({})).rejects.toMatchObject({ code: Code.Unimplemented, rawMessage: expect.stringMatching(/format: json\(\)/) });
    const c = client();
    await expect(c.clientStream([{ seq: 1 }])).rejects.toMatchObject({ code: Code.Unimplemented, rawMessage: expect.stringMatching(/gRPC.*gateway/) });
    const bidi = async () => {
      for await (const _ of c.bidiStream([{ seq: 1 }])) void _;
    };
    await expect(bidi()).rejects.toMatchObject({ code: Code.Unimplemented, rawMessage: expect.stringMatching(/bidi streams only over gRPC/) });
    expect(requests).toEqual([]);
  });

  it("Go: every stream kind is Unimplemented, naming the gateway", async () => {
    const go = createClient(CamelInteropService, createFetchTransport({ baseUrl: ORIGIN, protocol: dubboGo() }));
    const drain = async (it: AsyncIterable<unknown>) => {
      for await (const _ of it) void _;
    };
    await expect(drain(go.serverStream({}))).rejects.toMatchObject({ code: Code.Unimplemented, rawMessage: expect.stringMatching(/server streams only over gRPC.*gateway/) });
    await expect(go.clientStream([{}])).rejects.toMatchObject({ code: Code.Unimplemented });
    await expect(drain(go.bidiStream([{}]))).rejects.toMatchObject({ code: Code.Unimplemented });
    expect(requests).toEqual([]);
  });
});
