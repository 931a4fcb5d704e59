import { create, type DescMessage, type DescMethod, type Message } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { binaryFormat } from "../format/binary.js";
import type { WireFormat } from "../format/wire-format.js";
import { json } from "../json.js";
import { DEFAULT_MAX_BYTES } from "../limits.js";
import { encodeEnvelope } from "../protocol/envelope.js";
import { parseContentType } from "../protocol-triple/content-type.js";
import { createCallContext, raceSignal, toTripleError, type CallContext } from "./call-context.js";
import { delay } from "./delay.js";
import { bodyStream, parseRequest, readRequestBody, requestCompression, requestMessages, singleMessage } from "./request-messages.js";
import type { MockService } from "./service-impl.js";
import { endStreamEnvelope, unaryErrorResponse } from "./wire.js";

/** An HTTP request as the mock sees it, from msw's `Request` or from the in-memory transport. */
export interface ServeRequest {
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | Uint8Array | null;
  readonly signal: AbortSignal;
}

/** The mock's answer; a stream body is produced only as it is read. */
export interface ServeResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | Uint8Array | null;
}

type AnyFn = (input: unknown, context: CallContext) => unknown;

/**
 * Serves one call of `method` the way a dubbo-js server does: checks the content type (415 with
 * an empty body for a unary type on a stream method and the reverse), reads the request in the
 * format it names, runs the handler and writes its answer, its error, its headers and trailers
 * in that same dialect. Never throws: every failure is an answer on the wire.
 */
export async function serveMethod(mock: MockService, method: DescMethod, req: ServeRequest): Promise<ServeResponse> {
  const stream = method.methodKind !== "unary";
  const type = parseContentType(req.headers.get("content-type"));
  if (type === undefined || type.stream !== stream || (type.subtype !== "proto" && type.subtype !== "json")) {
    if (req.body instanceof ReadableStream) void req.body.cancel().catch(() => {});
    return { status: 415, headers: new Headers(), body: null };
  }
  const format: WireFormat = type.subtype === "proto" ? binaryFormat : json(mock.options.registry ? { registry: mock.options.registry } : {});
  const ctx = createCallContext(method, req.headers, req.signal);
  const impl = mock.impl[method.localName] as AnyFn | undefined;
  const run: AnyFn =
    impl ??
    (() => {
      throw new TripleError(`${method.parent.typeName}/${method.name} is not implemented by the mock`, Code.Unimplemented);
    });
  return stream ? serveStream(mock, method, format, run, ctx, req) : serveUnary(mock, method, format, run, ctx, req);
}

async function serveUnary(mock: MockService, method: DescMethod, format: WireFormat, impl: AnyFn, ctx: CallContext, req: ServeRequest): Promise<ServeResponse> {
  const max = mock.options.readMaxBytes ?? DEFAULT_MAX_BYTES;
  try {
    const compression = requestCompression(mock.options.compression ?? [], req.headers.get("content-encoding"));
    let bytes = await raceSignal(readRequestBody(req.body, max), ctx.signal);
    if (compression !== "identity") bytes = await compression.decompress(bytes, max);
    const request = parseRequest((b) => format.parse(method.input, b), bytes);
    if (mock.options.delayMs !== undefined) await delay(mock.options.delayMs, ctx.signal);
    const output = await raceSignal(Promise.resolve(impl(request, ctx)), ctx.signal);
    const body = serialize(format, method.output, output);
    const headers = new Headers(ctx.responseHeader);
    ctx.responseTrailer.forEach((value, name) => headers.append(`trailer-${name}`, value));
    headers.set("content-type", `application/${format.subtype}`);
    return { status: 200, headers, body };
  } catch (e) {
    return unaryErrorResponse(toTripleError(e), ctx.responseHeader, ctx.responseTrailer);
  } finally {
    ctx.finish();
  }
}

/** A handler's answer as wire bytes; a value that is not a valid message is the handler's bug, Internal. */
function serialize(format: WireFormat, schema: DescMessage, value: unknown): Uint8Array {
  try {
    return format.serialize(schema, create(schema, value as never) as Message);
  } catch (e) {
    throw new TripleError(`the mock handler returned an invalid ${schema.typeName}: ${String(e)}`, Code.Internal, { cause: e });
  }
}

type Step = { done: false; value: unknown } | { done: true } | { error: unknown };

async function settle(next: Promise<IteratorResult<unknown>>): Promise<Step> {
  try {
    const r = await next;
    return r.done === true ? { done: true } : { done: false, value: r.value };
  } catch (error) {
    return { error };
  }
}

/**
 * A stream call: the handler's output as envelopes and a final end-of-stream frame. The response
 * head goes out with the first message (or the end), so headers the handler sets before its first
 * `yield` are sent, as dubbo-js does. The body is pull-based (high-water mark 0): the handler is
 * resumed only when the client reads, so a slow reader holds the handler back.
 */
async function serveStream(mock: MockService, method: DescMethod, format: WireFormat, impl: AnyFn, ctx: CallContext, req: ServeRequest): Promise<ServeResponse> {
  const max = mock.options.readMaxBytes ?? DEFAULT_MAX_BYTES;
  const delayMs = mock.options.delayMs;
  async function* output(): AsyncGenerator<unknown, void, undefined> {
    const compression = requestCompression(mock.options.compression ?? [], req.headers.get("connect-content-encoding"));
    const requests = requestMessages(bodyStream(req.body), (b) => format.parse(method.input, b), max, compression);
    if (delayMs !== undefined) await delay(delayMs, ctx.signal);
    switch (method.methodKind) {
      case "server_streaming":
        yield* impl(await singleMessage(requests), ctx) as AsyncIterable<unknown>;
        return;
      case "client_streaming":
        try {
          yield await (impl(requests, ctx) as Promise<unknown>);
        } finally {
          // A handler may answer before reading every request; the rest of the body is dropped.
          void requests.return().catch(() => {});
        }
        return;
      default:
        yield* impl(requests, ctx) as AsyncIterable<unknown>;
    }
  }
  const it = output();
  const next = (): Promise<Step> => settle(raceSignal(it.next(), ctx.signal));
  let pending: Step | undefined = await next();
  const headers = new Headers(ctx.responseHeader);
  headers.set("content-type", `application/connect+${format.subtype}`);
  let ended = false;
  const end = (controller: ReadableStreamDefaultController<Uint8Array>, error: TripleError | undefined) => {
    ended = true;
    controller.enqueue(endStreamEnvelope(ctx.responseTrailer, error));
    controller.close();
    ctx.finish();
    if (error !== undefined) void it.return().catch(() => {});
  };
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const step = pending ?? (await next());
        pending = undefined;
        if (ended) return;
        if ("error" in step) return end(controller, toTripleError(step.error));
        if (step.done) return end(controller, undefined);
        try {
          controller.enqueue(encodeEnvelope(0, serialize(format, method.output, step.value)));
        } catch (e) {
          end(controller, toTripleError(e));
        }
      },
      cancel(reason) {
        ended = true;
        ctx.finish(new TripleError("the client stopped reading the response", Code.Canceled, { cause: reason }));
        void it.return().catch(() => {});
      },
    },
    { highWaterMark: 0 },
  );
  return { status: 200, headers, body };
}
