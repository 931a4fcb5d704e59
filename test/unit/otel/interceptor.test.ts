// triple-es/otel over the in-memory transport of triple-es/testing: deadlines, cancellation, every
// call kind, and that counting responses reads nothing ahead (receive flow control is untouched).

import { afterEach, describe, expect, it, vi } from "vitest";
import { SpanStatusCode } from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Code } from "triple-es";
import { createOtelInterceptor } from "triple-es/otel";
import { createInMemoryTransport } from "triple-es/testing";
import { InteropService } from "../../gen/triple/interop/v1/interop_pb.js";
import { createInteropServiceClient } from "../../gen/triple/interop/v1/interop_triple.js";
import { interopImpl, newProbe, type Probe } from "../testing/fixtures.js";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

function client(probe: Probe) {
  const interceptors = [createOtelInterceptor({ tracerProvider: provider, propagator: new W3CTraceContextPropagator() })];
  return createInteropServiceClient(createInMemoryTransport(InteropService, interopImpl(probe), { interceptors }));
}

function onlySpan(): ReadableSpan {
  const spans = exporter.getFinishedSpans();
  expect(spans).toHaveLength(1);
  return spans[0]!;
}

async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}

afterEach(() => {
  exporter.reset();
  vi.useRealTimers();
});

describe("createOtelInterceptor", () => {
  it("the handler receives the span's traceparent", async () => {
    const probe = newProbe();
    await client(probe).unary({});
    const { traceId, spanId } = onlySpan().spanContext();
    expect(probe.requestHeader?.get("traceparent")).toBe(`00-${traceId}-${spanId}-01`);
  });

  it("a deadline ends the span with ERROR and deadline_exceeded", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
    const p = client(newProbe()).unary({ delayMs: 60_000 }, { timeoutMs: 100 });
    p.catch(() => {});
    await vi.advanceTimersByTimeAsync(100);
    await expect(p).rejects.toMatchObject({ code: Code.DeadlineExceeded });
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": Code.DeadlineExceeded, "error.type": "deadline_exceeded" });
  });

  it("client stream: one span, OK, one response received", async () => {
    await client(newProbe()).clientStream([{ seq: 1 }, { seq: 2 }]);
    expect(onlySpan().attributes).toMatchObject({ "rpc.method": "ClientStream", "rpc.dubbo.status_code": 0, "rpc.dubbo.messages_received": 1 });
  });

  it("bidi cancelled mid-way: ERROR canceled, the responses read so far counted", async () => {
    const call = client(newProbe()).bidiStream.open();
    const reader = call.responses.getReader();
    await call.send({ seq: 1 });
    await reader.read();
    call.cancel();
    await expect(call.trailer).rejects.toMatchObject({ code: Code.Canceled });
    await settle();
    const span = onlySpan();
    expect(span.status.code).toBe(SpanStatusCode.ERROR);
    expect(span.attributes).toMatchObject({ "rpc.dubbo.status_code": Code.Canceled, "rpc.dubbo.messages_received": 1 });
  });

  it("counting responses reads nothing ahead: the handler stays held by a paused reader", async () => {
    const probe = newProbe();
    const call = client(probe).serverStream.open({ count: 1000 });
    const reader = call.responses.getReader();
    await reader.read();
    await settle();
    expect(probe.produced).toBeLessThanOrEqual(3);
    expect(exporter.getFinishedSpans()).toHaveLength(0);
    call.cancel();
  });
});
