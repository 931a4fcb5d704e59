import { Code } from "../code.js";
import type { Compression } from "../compression.js";
import { EnvelopeParser, FLAG_COMPRESSED, type Envelope } from "../protocol/envelope.js";
import { TripleError } from "../errors.js";
import type { MessageReader } from "../protocol/message-reader.js";
import { FLAG_END_STREAM, parseEndStream, type EndStream } from "./end-stream.js";

/** Inputs for {@link StreamBodyReader}. */
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
  /** Called once with the end-of-stream frame's meaning (or the failure), before `read()` reports it. */
  readonly onEnd: (end: EndStream) => void;
}

const KNOWN_FLAGS = FLAG_COMPRESSED | FLAG_END_STREAM;

/**
 * Decodes a Triple stream body into messages, one per `read()`, reading the network only when no
 * parsed envelope is left to hand out, and never further. There is no queue of its own: the
 * only bytes held are the current network chunk, whose envelopes are handed out as views.
 *
 * Protocol rules enforced here: exactly one end-of-stream frame, last; no unknown flag bits; a
 * compressed flag only with a negotiated encoding; a body must not end inside an envelope.
 * A failure (the server's end frame, a framing error, a broken body) is reported only after every
 * message received before it has been read, so an error never hides data that arrived.
 *
 * It is a plain reader rather than a ReadableStream because a stream layer per message costs
 * more than parsing the message; {@link messageStream} wraps it where a stream is wanted.
 */
export class StreamBodyReader<T> implements MessageReader<T> {
  private readonly options: StreamBodyOptions<T>;
  private readonly parser: EnvelopeParser;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Envelopes parsed from the current chunk, not yet handed out (views into that chunk). */
  private pending: Envelope[] = [];
  private next = 0;
  private ended = false;
  private done = false;
  private failure: TripleError | undefined;
  /** A framing error found in a chunk after complete envelopes: raised once those are read. */
  private deferred: unknown;

  constructor(options: StreamBodyOptions<T>) {
    this.options = options;
    this.parser = new EnvelopeParser({ readMaxBytes: options.readMaxBytes });
    this.reader = options.body.getReader();
  }

  async read(): Promise<ReadableStreamReadResult<T>> {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) return { done: true, value: undefined };
    try {
      for (;;) {
        if (this.next === this.pending.length && !(await this.fill())) {
          this.done = true;
          return { done: true, value: undefined };
        }
        const message = await this.handle(this.pending[this.next++]!);
        if (message !== undefined) return { done: false, value: message.value };
      }
    } catch (e) {
      throw this.fail(TripleError.from(e, Code.Internal));
    }
  }

  cancel(reason?: unknown): Promise<void> {
    if (!this.done && this.failure === undefined) {
      this.fail(reason instanceof TripleError ? reason : new TripleError("the response stream was cancelled", Code.Canceled, { cause: reason }));
    }
    return this.reader.cancel(reason).catch(() => {});
  }

  private fail(error: TripleError): TripleError {
    this.failure = error;
    this.pending = [];
    this.next = 0;
    if (!this.ended) {
      this.ended = true;
      this.options.onEnd({ trailer: new Headers(), error });
    }
    void this.reader.cancel(error).catch(() => {});
    return error;
  }

  /** Reads chunks until at least one envelope is pending; false at a well-formed end of body. */
  private async fill(): Promise<boolean> {
    while (this.next === this.pending.length) {
      if (this.deferred !== undefined) throw this.deferred;
      this.pending = [];
      this.next = 0;
      const r = await this.reader.read();
      if (r.done) {
        this.parser.end();
        if (!this.ended) {
          throw new TripleError(
            "the stream ended without an end-of-stream frame: the response was cut off or the server is not a Triple server",
            Code.Internal,
          );
        }
        return false;
      }
      const pending = this.pending;
      try {
        this.parser.push(r.value, (e) => pending.push(e));
      } catch (e) {
        if (pending.length === 0) throw e;
        this.deferred = e;
      }
    }
    return true;
  }

  /** One envelope: a message to hand out, or undefined for the end frame. Sync unless compressed. */
  private handle(envelope: Envelope): { value: T } | undefined | Promise<{ value: T } | undefined> {
    const { flags } = envelope;
    if (this.ended) {
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
    if ((flags & FLAG_COMPRESSED) === 0) return this.decode(flags, envelope.data);
    const compression = this.options.compression;
    if (compression === "identity") {
      throw new TripleError("a message is flagged compressed but the response named no Connect-Content-Encoding", Code.Internal);
    }
    return compression.decompress(envelope.data, this.options.readMaxBytes).then((data) => this.decode(flags, data));
  }

  private decode(flags: number, data: Uint8Array): { value: T } | undefined {
    if ((flags & FLAG_END_STREAM) !== 0) {
      this.ended = true;
      const end = parseEndStream(data, this.options.header);
      this.options.onEnd(end);
      if (end.error !== undefined) throw end.error;
      return undefined;
    }
    try {
      return { value: this.options.parse(data) };
    } catch (e) {
      throw new TripleError(`failed to parse a response message: ${String(e)}`, Code.Internal, { cause: e });
    }
  }
}

