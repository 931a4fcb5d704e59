import { context, propagation, SpanKind, trace, type Span, type TextMapPropagator, type TextMapSetter, type TracerProvider } from "@opentelemetry/api";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { Interceptor, StreamResponse } from "../interceptors.js";
import { requestAttributes } from "./attributes.js";
import { endError, endOk } from "./span-end.js";

/** Options of {@link createOtelInterceptor}. */
export interface OtelInterceptorOptions {
  /** Where spans go. Default: the global provider (`trace.getTracerProvider()`), looked up per call. */
  tracerProvider?: TracerProvider;
  /**
   * How the trace context is written into the request metadata. Default: the global propagator
   * (`propagation`), which the OTel SDK sets to W3C Trace Context (`traceparent`, `tracestate`)
   * when registered; pass `new W3CTraceContextPropagator()` to use it without registering.
   */
  propagator?: TextMapPropagator;
  /**
   * Add a `message` event (`message.type` RECEIVED, `message.id` 1, 2, …) per response of a
   * stream, as the RPC conventions describe. Off by default: a long stream would make a huge
   * span; the count is recorded either way (`rpc.dubbo.messages_received`).
   */
  messageEvents?: boolean;
}

const TRACER_NAME = "triple-es";

const headerSetter: TextMapSetter<Headers> = {
  set(carrier, key, value) {
    carrier.set(key, value);
  },
};

/**
 * An interceptor that makes one client span per call, with the OpenTelemetry RPC semantic
 * conventions (`rpc.system` = `dubbo`, `rpc.service`, `rpc.method`, `server.address`,
 * `server.port`, the status code in `rpc.dubbo.status_code`), and writes the trace context into
 * the request metadata (W3C `traceparent`), so the server's spans join the trace. A span ends
 * when the call does: the unary response, a stream's end, its error, its cancellation. Streams
 * record how many responses were read. `triple-es/otel` is opt-in; `@opentelemetry/api` an
 * optional peer.
 *
 * @example createFetchTransport({ baseUrl, interceptors: [createOtelInterceptor()] })
 */
export function createOtelInterceptor(options: OtelInterceptorOptions = {}): Interceptor {
  const events = options.messageEvents === true;
  return (next) => async (req) => {
    const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(TRACER_NAME);
    const parent = context.active();
    const span = tracer.startSpan(
      `${req.service.typeName}/${req.method.name}`,
      { kind: SpanKind.CLIENT, attributes: requestAttributes(req) },
      parent,
    );
    const active = trace.setSpan(parent, span);
    (options.propagator ?? propagation).inject(active, req.header, headerSetter);
    const kind = req.method.methodKind;
    // The interceptor sees a stream's requests only for server streams (one request).
    const sent = kind === "unary" || kind === "server_streaming" ? 1 : undefined;
    let res;
    try {
      res = await context.with(active, () => next(req));
    } catch (e) {
      endError(span, e, { sent, received: 0 });
      throw e;
    }
    if (!res.stream) {
      endOk(span, { sent, received: 1 });
      return res;
    }
    traceMessages(res, span, sent, events);
    return res;
  };
}

/**
 * Counts a stream's responses as the caller reads them (pull-based, nothing read ahead, so flow
 * control is untouched) and ends the span with the stream: at its trailers, its error, or when
 * the caller cancels it.
 */
function traceMessages(res: StreamResponse, span: Span, sent: number | undefined, events: boolean): void {
  let received = 0;
  let ended = false;
  const finish = (error?: unknown) => {
    if (ended) return;
    ended = true;
    if (error === undefined) endOk(span, { sent, received });
    else endError(span, error, { sent, received });
  };
  res.trailer.then(
    () => finish(),
    (e: unknown) => finish(e),
  );
  const reader = res.messages.getReader();
  res.messages = new ReadableStream(
    {
      async pull(controller) {
        let r;
        try {
          r = await reader.read();
        } catch (e) {
          finish(e);
          controller.error(e);
          return;
        }
        if (r.done) {
          controller.close();
          return;
        }
        received++;
        if (events) span.addEvent("message", { "message.type": "RECEIVED", "message.id": received });
        controller.enqueue(r.value);
      },
      cancel(reason) {
        finish(reason instanceof TripleError ? reason : new TripleError("the caller cancelled the stream", Code.Canceled, { cause: reason }));
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
