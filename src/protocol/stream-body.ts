import { Code } from "../code.js";
import type { Compression } from "../compression.js";
import { EnvelopeParser, FLAG_COMPRESSED, FLAG_END_STREAM, type Envelope } from "../envelope.js";
import { TripleError } from "../errors.js";
import { parseEndStream, type EndStream } from "./end-stream.js";

/** Inputs for {@link decodeStreamBody}. */
export interface StreamBodyOptions<T> {
  /** The response body: Triple envelopes. */
  readonly body: ReadableStream<Uint8Array>;
  /** Turns one message's bytes into a message. */
  readonly parse: (bytes: Uint8Array) => T;
  /** The encoding the response named in `Connect-Content-Encoding`, or "identity". */
  readonly compression: Compression | "identity";
  readonly readMaxBytes: number;
  /** The response headers, folded into the metadata of an error from the end-of-stream frame. */
  readonly header: Headers;
  /** How many parsed messages may wait for the consumer. 0 means: parse only on demand. */
  readonly highWaterMark: number;
  /** Called once with the end-of-stream frame's meaning, before the stream closes or errors. */
  readonly onEnd: (end: EndStream) => void;
}

const KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_END_STREAM;

/**
 * Decodes a Triple stream body into messages, pulling the body only as the consumer pulls the
 * result: the network is read when no parsed envelope is left to hand out, and never further.
 *
 * Protocol rules enforced here: exactly one end-of-stream frame, last; no unknown flag bits; a
 * compressed flag only with a negotiated encoding; a body must not end inside an envelope.
 *
 * An error (from the server's end frame or from a broken body) is raised only once every
 * message received before it has been handed out, so a failure never hides data that arrived.
 */
export function decodeStreamBody<T>(options: StreamBodyOptions<T>): ReadableStream<T> {
  const { parse, compression, readMaxBytes, header, onEnd } = options;
  const parser = new EnvelopeParser({ readMaxBytes });
  const reader = options.body.getReader();
  // Envelopes parsed from the current chunk, not yet handed out (views into that chunk).
  const pending: Envelope[] = [];
  const collect = (e: Envelope) => pending.push(e);
  let next = 0;
  let ended = false;
  let failure: TripleError | undefined;
  let queued = 0;

  // A framing error found in a chunk after complete envelopes: raised once those are handed out.
  let deferred: unknown;

  async function fill(): Promise<boolean> {
    while (next === pending.length) {
      if (deferred !== undefined) throw deferred;
      pending.length = 0;
      next = 0;
      const r = await reader.read();
      if (r.done) {
        parser.end();
        if (!ended) {
          throw new TripleError(
            "the stream ended without an end-of-stream frame: the response was cut off or the server is not a Triple server",
            Code.Internal,
          );
        }
        return false;
      }
      try {
        parser.push(r.value, collect);
      } catch (e) {
        if (pending.length === 0) throw e;
        deferred = e;
      }
    }
    return true;
  }

  async function handle(envelope: Envelope, controller: ReadableStreamDefaultController<T>): Promise<void> {
    const { flags } = envelope;
    if (ended) {
      throw new TripleError(
        (flags & FLAG_END_STREAM) !== 0
          ? "a second end-of-stream frame arrived"
          : "a message arrived after the end-of-stream frame",
        Code.Internal,
      );
    }
    if ((flags & ~KNOWN_FLAGS) !== 0) {
      throw new TripleError(`invalid envelope flags 0x${flags.toString(16).padStart(2, "0")}`, Code.Internal);
    }
    let data = envelope.data;
    if ((flags & FLAG_COMPRESSED) !== 0) {
      if (compression === "identity") {
        throw new TripleError(
          "a message is flagged compressed but the response named no Connect-Content-Encoding",
          Code.Internal,
        );
      }
      data = await compression.decompress(data, readMaxBytes);
    }
    if ((flags & FLAG_END_STREAM) !== 0) {
      ended = true;
      const end = parseEndStream(data, header);
      onEnd(end);
      if (end.error !== undefined) throw end.error;
      return;
    }
    let message: T;
    try {
      message = parse(data);
    } catch (e) {
      throw new TripleError(`failed to parse a response message: ${String(e)}`, Code.Internal, { cause: e });
    }
    controller.enqueue(message);
    queued++;
  }

  return new ReadableStream<T>(
    {
      async pull(controller) {
        // A failure waits until the messages queued before it have been read.
        if (failure !== undefined) {
          if (controller.desiredSize === options.highWaterMark) controller.error(failure);
          return;
        }
        queued = 0;
        try {
          // Hand out at least one message per pull, more only while the queue wants them.
          while (queued === 0 || (controller.desiredSize ?? 0) > 0) {
            if (!(await fill())) {
              controller.close();
              return;
            }
            await handle(pending[next++]!, controller);
          }
        } catch (e) {
          failure = TripleError.from(e, Code.Internal);
          if (!ended) {
            ended = true;
            onEnd({ trailer: new Headers(), error: failure });
          }
          void reader.cancel(failure).catch(() => {});
          if (controller.desiredSize === options.highWaterMark) controller.error(failure);
        }
      },
      cancel(reason) {
        if (!ended) {
          ended = true;
          onEnd({ trailer: new Headers(), error: TripleError.from(reason, Code.Canceled) });
        }
        return reader.cancel(reason);
      },
    },
    new CountQueuingStrategy({ highWaterMark: options.highWaterMark }),
  );
}
