import { Code } from "../code.js";
import { findCompression, type Compression } from "../compression.js";
import { TripleError } from "../errors.js";
import { EnvelopeParser, FLAG_COMPRESSED } from "../protocol/envelope.js";
import { readAllBytes } from "../protocol/read-body.js";

/** A request body as a stream, whatever form the caller had it in. */
export function bodyStream(body: ReadableStream<Uint8Array> | Uint8Array | null): ReadableStream<Uint8Array> {
  if (body instanceof ReadableStream) return body;
  return new ReadableStream({
    start(controller) {
      if (body !== null && body.byteLength > 0) controller.enqueue(body);
      controller.close();
    },
  });
}

/** The whole request body of a unary call, bounded by `maxBytes` (ResourceExhausted beyond). */
export async function readRequestBody(body: ReadableStream<Uint8Array> | Uint8Array | null, maxBytes: number): Promise<Uint8Array> {
  if (body instanceof Uint8Array) {
    if (body.byteLength > maxBytes) throw new TripleError(`the request body exceeds ${maxBytes} bytes`, Code.ResourceExhausted);
    return body;
  }
  return readAllBytes(body, maxBytes, "the request body");
}

/** The encoding named by a request header, among the ones the mock reads; Unimplemented otherwise. */
export function requestCompression(accepted: readonly Compression[], name: string | null): Compression | "identity" {
  const found = findCompression(accepted, name);
  if (found === undefined) {
    throw new TripleError(`the mock service cannot read "${name}" requests (pass it in the compression option)`, Code.Unimplemented);
  }
  return found;
}

/**
 * The messages of an enveloped request body, read from the body only as the handler iterates,
 * so a handler that stops reading holds the client's sender back (flow control). Each network
 * chunk's messages are parsed before any is handed out, so nothing keeps a view of the chunk.
 */
export async function* requestMessages<T>(
  body: ReadableStream<Uint8Array>,
  parse: (bytes: Uint8Array) => T,
  readMaxBytes: number,
  compression: Compression | "identity",
): AsyncGenerator<T, void, undefined> {
  const reader = body.getReader();
  const parser = new EnvelopeParser({ readMaxBytes });
  let finished = false;
  try {
    for (;;) {
      let r: ReadableStreamReadResult<Uint8Array>;
      try {
        r = await reader.read();
      } catch (e) {
        throw TripleError.from(e, Code.Canceled);
      }
      if (r.done) {
        finished = true;
        parser.end();
        return;
      }
      const envelopes: { flags: number; data: Uint8Array }[] = [];
      parser.push(r.value, (e) => envelopes.push(e));
      const messages: T[] = [];
      for (const { flags, data } of envelopes) {
        let bytes = data;
        if (flags === FLAG_COMPRESSED) {
          if (compression === "identity") {
            throw new TripleError("a request message is flagged compressed but no Connect-Content-Encoding was sent", Code.InvalidArgument);
          }
          bytes = await compression.decompress(data, readMaxBytes);
        } else if (flags !== 0) {
          throw new TripleError(`invalid request envelope flags 0x${flags.toString(16)}`, Code.InvalidArgument);
        }
        messages.push(parseRequest(parse, bytes));
      }
      yield* messages;
    }
  } finally {
    if (!finished) void reader.cancel().catch(() => {});
  }
}

/** Parses one request message; a failure is the client's fault, so InvalidArgument. */
export function parseRequest<T>(parse: (bytes: Uint8Array) => T, bytes: Uint8Array): T {
  try {
    return parse(bytes);
  } catch (e) {
    throw new TripleError(`cannot parse the request message: ${e instanceof Error ? e.message : String(e)}`, Code.InvalidArgument, { cause: e });
  }
}

/** The one request of a server stream: exactly one message, or InvalidArgument. */
export async function singleMessage<T>(messages: AsyncIterator<T>): Promise<T> {
  const first = await messages.next();
  if (first.done === true) throw new TripleError("the server-stream request has no message", Code.InvalidArgument);
  const second = await messages.next();
  if (second.done !== true) throw new TripleError("the server-stream request has more than one message", Code.InvalidArgument);
  return first.value;
}
