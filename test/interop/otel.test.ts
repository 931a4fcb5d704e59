// triple-es/otel against the real dubbo-js server: client spans with the RPC conventions, exported
// by the OTel SDK's InMemorySpanExporter, and the W3C traceparent the server really received.

import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { propagation, SpanKind, SpanStatusCode } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Code, TripleError } from "triple-es";
import { createOtelInterceptor, type OtelInterceptorOptions } from "triple-es/otel";
import { baseUrl, interopClient, type Listener } from "./clients.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const propagator = new W3CTraceContextPropagator();

function client(listener: Listener = "h1", options: OtelInterceptorOptions = {}) {
  return interopClient(listener, { interceptors: [createOtelInterceptor({ tracerProvider: provider, propagator, ...options })] });
}

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

afterEach(() => exporter.reset());

describe("triple-es/otel on the real dubbo-js server", () => {
  let port: number;
  beforeAll(() => {
    port = Number(new URL(baseUrl("h1")).port);
  });

  it("unary: a client span with the RPC attributes, and the server received its traceparent", async () => {
    const res = await client().unary({ text: "t" });
    const span = onlySpan();
    expect(span.name).toBe("triple.interop.v1.InteropService/Unary");
    expect(span.kind).toBe(SpanKind.CLIENT);
    expect(span.attributes).toMatchObject({
      "rpc.system": "dubbo",
      "rpc.service": "triple.interop.v1.InteropService",
      "rpc.method": "Unary",
      "server.address": "127.0.0.1",
      "server.port": port,
      "rpc.dubbo.status_code": 0,
      "rpc.dubbo.messages_sent": 1,
      "rpc.dubbo.messages_received": 1,
    });
    expect(span.status.code).toBe(SpanStatusCode.UNSET);
    const { traceId, spanId } = span.spanContext();
    expect(res.requestHeaders["traceparent"]).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("the global propagator is used when none is given", async () => {
    propagation.setGlobalPropagator(propagator);
    try {
      const res = await interopClient("h1", { interceptors: [createOtelInterceptor({ tracerProvider: provider })] }).unary({});
      expect(res.requestHeaders["traceparent"]).toBe(`00-${onlySpan().spanContext().traceId}-${onlySpan().spanContext().spanId}-01`);
    } finally {
      propagation.disable();
    }
  });

  it("unary error: status ERROR, the code, the exception", async () => {
    await expect(client().unary({ error: { code: Code.PermissionDenied, message: "no" } })).rejects.toBeInstanceOf(TripleError);
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": Code.PermissionDenied, "error.type": "permission_denied" });
    expect(span.events.map((e) => e.name)).toContain("exception");
  });

  it("server stream: the span ends with the stream and counts what was read", async () => {
    const seqs: number[] = [];
    for await (const m of client("h1", { messageEvents: true }).serverStream({ count: 5, size: 8 })) {
      seqs.push(m.seq);
      expect(exporter.getFinishedSpans()).toHaveLength(0);
    }
    expect(seqs).toEqual([0, 1, 2, 3, 4]);
    const span = onlySpan();
    expect(span.name).toBe("triple.interop.v1.InteropService/ServerStream");
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": 0, "rpc.dubbo.messages_received": 5, "rpc.dubbo.messages_sent": 1 });
    expect(span.events.map((e) => e.attributes?.["message.id"])).toEqual([1, 2, 3, 4, 5]);
  });

  it("server stream failing mid-way: ERROR with the server's code, after the messages read", async () => {
    const c = client();
    await expect(
      (async () => {
        for await (const _ of c.serverStream({ count: 5, errorAfter: 2, error: { code: Code.Unavailable, message: "gone" } }));
      })(),
    ).rejects.toMatchObject({ code: Code.Unavailable });
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": Code.Unavailable, "rpc.dubbo.messages_received": 2 });
  });

  it("server stream left early (break): the span ends Canceled", async () => {
    for await (const m of client().serverStream({ count: 1000, delayMs: 1 })) {
      if (m.seq === 1) break;
    }
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": Code.Canceled, "rpc.dubbo.messages_received": 2 });
  });

  it("aborted unary: the span ends Canceled", async () => {
    const ac = new AbortController();
    const p = client().unary({ delayMs: 60_000 }, { signal: ac.signal });
    ac.abort();
    await expect(p).rejects.toMatchObject({ code: Code.Canceled });
    expect(onlySpan().attributes).toMatchObject({ "rpc.dubbo.status_code": Code.Canceled });
  });

  it("bidi over HTTP/2: received count, no sent count (the interceptor does not see requests)", async () => {
    const seqs: number[] = [];
    for await (const m of client("h2").bidiStream([{ seq: 1 }, { seq: 2 }, { seq: 3 }])) seqs.push(m.seq);
    expect(seqs).toEqual([1, 2, 3]);
    const span = onlySpan();
    expect(span.attributes["rpc.dubbo.messages_received"]).toBe(3);
    expect(span.attributes["rpc.dubbo.messages_sent"]).toBeUndefined();
    expect(span.attributes["server.port"]).toBe(Number(new URL(baseUrl("h2")).port));
  });
});
