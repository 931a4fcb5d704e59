import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { MessageReader } from "../protocol/message-reader.js";
import { SseParser } from "./sse.js";
import { parseJavaError } from "./validate-response.js";

/** Inputs for {@link SseBodyReader}. */
export interface SseBodyOptions<T> {
  /** The response body, `text/event-stream`. */
  readonly body: ReadableStream<Uint8Array>;
  /** Turns one event's data (a message in JSON) into a message. */
  readonly parse: (bytes: Uint8Array) => T;
  readonly readMaxBytes: number;
  /** The response headers: the metadata of an error event. */
  readonly header: Headers;
  /** Called once with the outcome (undefined: the body ended cleanly), before `read()` reports it. */
  readonly onEnd: (error: TripleError | undefined) => void;
}

const decoder = new TextDecoder();
/** `"status":"` in UTF-8: present in every Java error event, checked before anything is decoded. */
const STATUS_KEY = new TextEncoder().encode('"status":"');

/**
 * Decodes Dubbo Java 3.3's server stream, one `data:` event per message, into messages, one per
 * `read()`, reading the network only when no parsed event is left, and never further: a consumer
 * that stops reading stops the body, and the server's writes back up behind it.
 *
 * Java ends a stream by ending the body, with no end event, so what the end proves is limited:
 * a body cut off inside an event is an error (`DataLoss`), but a body cut off exactly between
 * events (a proxy dropping the connection, a server process dying there) looks like a clean end.
 * An error mid-stream is one more event holding Java's error object (`{"message":"<CODE> : …",
 * "status":"<http>"}`); it is told from a message by that shape, and reported after every
 * message before it.
 */
export class SseBodyReader<T> implements MessageReader<T> {
  private readonly options: SseBodyOptions<T>;
  private readonly parser: SseParser;
  private readonly reader: ReadableStreamDefaultReader<Uint8Array>;
  /** Event data parsed from the current chunk, not yet handed out. */
  private pending: Uint8Array[] = [];
  private next = 0;
  private done = false;
  private failure: TripleError | undefined;
  /** A parse error found in a chunk after complete events: raised once those are read. */
  private deferred: unknown;

  constructor(options: SseBodyOptions<T>) {
    this.options = options;
    // An event holds one message in JSON: the read limit bounds it, with room for the field name.
    this.parser = new SseParser({ maxEventBytes: options.readMaxBytes + 64 });
    this.reader = options.body.getReader();
  }

  async read(): Promise<ReadableStreamReadResult<T>> {
    if (this.failure !== undefined) throw this.failure;
    if (this.done) return { done: true, value: undefined };
    try {
      if (this.next === this.pending.length && !(await this.fill())) {
        this.done = true;
        this.options.onEnd(undefined);
        return { done: true, value: undefined };
      }
      return { done: false, value: this.decode(this.pending[this.next++]!) };
    } catch (e) {
      throw this.fail(TripleError.from(e, Code.Internal));
    }
  }

  cancel(reason?: unknown): Promise<void> {
    if (!this.done && this.failure === undefined) {
      this.fail(
        reason instanceof TripleError ? reason : new TripleError("the response stream was cancelled", Code.Canceled, { cause: reason }),
      );
    }
    return this.reader.cancel(reason).catch(() => {});
  }

  private fail(error: TripleError): TripleError {
    if (this.failure === undefined) {
      this.failure = error;
      this.pending = [];
      this.next = 0;
      if (!this.done) this.options.onEnd(error);
      void this.reader.cancel(error).catch(() => {});
    }
    return this.failure;
  }

  /** Reads chunks until at least one event is pending; false at a well-formed end of body. */
  private async fill(): Promise<boolean> {
    while (this.next === this.pending.length) {
      if (this.deferred !== undefined) throw this.deferred;
      this.pending = [];
      this.next = 0;
      const r = await this.reader.read();
      if (r.done) {
        this.parser.end();
        return false;
      }
      const pending = this.pending;
      try {
        this.parser.push(r.value, (data) => pending.push(data));
      } catch (e) {
        if (pending.length === 0) throw e;
        this.deferred = e;
      }
    }
    return true;
  }

  /** One event: a message, or Java's error object, which ends the call. */
  private decode(data: Uint8Array): T {
    const error = javaErrorEvent(data, this.options.header);
    if (error !== undefined) throw error;
    try {
      return this.options.parse(data);
    } catch (e) {
      throw new TripleError(`failed to parse a response message: ${String(e)}`, Code.Internal, { cause: e });
    }
  }
}

/**
 * The error in an event, when the event is Java's error object: a JSON object with a 3-digit
 * `status` string, a `message`, and nothing else. A message type with exactly those two string
 * fields would read as an error; no other can.
 */
export function javaErrorEvent(data: Uint8Array, header: Headers): TripleError | undefined {
  if (data[0] !== 0x7b || indexOf(data, STATUS_KEY) < 0) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(data));
  } catch {
    return undefined;
  }
  if (typeof value !== "object" || value === null) return undefined;
  if (!Object.keys(value).every((k) => k === "status" || k === "message")) return undefined;
  return parseJavaError(value, header);
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  const first = needle[0]!;
  for (let i = haystack.indexOf(first); i >= 0 && i <= haystack.byteLength - needle.byteLength; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.byteLength && haystack[i + j] === needle[j]) j++;
    if (j === needle.byteLength) return i;
  }
  return -1;
}
