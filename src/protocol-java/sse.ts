import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { concatBytes } from "../protocol/read-body.js";

const LF = 0x0a;
const CR = 0x0d;
const COLON = 0x3a;
const SPACE = 0x20;
const NEWLINE = new Uint8Array([LF]);

/** Options for {@link SseParser}. */
export interface SseParserOptions {
  /** Largest event (its data, plus an incomplete line) held at once; more fails with ResourceExhausted. */
  readonly maxEventBytes: number;
}

/**
 * Splits a `text/event-stream` body into the data of its events, whatever the chunking, as the
 * Server-Sent Events format defines it: lines end in LF, CR or CRLF; a blank line ends an event;
 * `data:` lines (one optional space after the colon) are joined with LF; comments (`:`) and the
 * other fields (`event`, `id`, `retry`) are skipped; an event without data is no event.
 *
 * It works on bytes: line ends are ASCII and cannot occur inside a UTF-8 sequence, so a line that
 * lies inside one chunk is handed out as a view of it, uncopied (Java sends one line per event).
 * Synchronous and push-driven, like the envelope parser, so the reader decides when to read.
 * Everything it holds is bounded by `maxEventBytes`.
 */
export class SseParser {
  private readonly maxEventBytes: number;
  /** The start of a line whose end has not arrived yet. */
  private partial: Uint8Array[] = [];
  private partialBytes = 0;
  /** The data lines of the event being read. */
  private data: Uint8Array[] = [];
  private dataBytes = 0;
  /** The last chunk ended in CR: an LF at the start of the next one belongs to it. */
  private afterCR = false;

  constructor(options: SseParserOptions) {
    this.maxEventBytes = options.maxEventBytes;
  }

  /** Parses `chunk`, calling `emit` with the data of each completed event, in order. */
  push(chunk: Uint8Array, emit: (data: Uint8Array) => void): void {
    let pos = 0;
    const end = chunk.byteLength;
    if (this.afterCR && end > 0) {
      this.afterCR = false;
      if (chunk[0] === LF) pos = 1;
    }
    while (pos < end) {
      let eol = pos;
      while (eol < end && chunk[eol] !== LF && chunk[eol] !== CR) eol++;
      if (eol === end) {
        this.hold(chunk.subarray(pos));
        return;
      }
      let line = chunk.subarray(pos, eol);
      if (this.partialBytes > 0) {
        line = concatBytes([...this.partial, line], this.partialBytes + line.byteLength);
        this.partial = [];
        this.partialBytes = 0;
      }
      if (chunk[eol] === CR) {
        if (eol + 1 === end) this.afterCR = true;
        else if (chunk[eol + 1] === LF) eol++;
      }
      pos = eol + 1;
      this.line(line, emit);
    }
  }

  /**
   * Call when the body has ended: throws `DataLoss` if it ended inside an event, since an event is
   * complete only at its blank line, and a cut-off body must never pass as a complete one.
   */
  end(): void {
    if (this.partialBytes === 0 && this.data.length === 0) return;
    throw new TripleError(
      "the event stream ended inside an event (no blank line after its last data): the response was cut off",
      Code.DataLoss,
    );
  }

  private hold(rest: Uint8Array): void {
    if (rest.byteLength === 0) return;
    this.partialBytes += rest.byteLength;
    this.check(this.partialBytes + this.dataBytes);
    // The chunk may be reused by its reader; keep a copy of the little that is held.
    this.partial.push(rest.slice());
  }

  private line(line: Uint8Array, emit: (data: Uint8Array) => void): void {
    if (line.byteLength === 0) {
      this.dispatch(emit);
      return;
    }
    if (line[0] === COLON) return;
    let colon = line.indexOf(COLON);
    if (colon < 0) colon = line.byteLength;
    if (colon !== 4 || line[0] !== 0x64 || line[1] !== 0x61 || line[2] !== 0x74 || line[3] !== 0x61) return; // not "data"
    let start = colon + 1;
    if (line[start] === SPACE) start++;
    const value = line.subarray(Math.min(start, line.byteLength));
    this.dataBytes += value.byteLength + (this.data.length > 0 ? 1 : 0);
    this.check(this.dataBytes);
    this.data.push(value);
  }

  private dispatch(emit: (data: Uint8Array) => void): void {
    const data = this.data;
    if (data.length === 0) return;
    const bytes = data.length === 1 ? data[0]! : concatBytes(data.flatMap((d, i) => (i === 0 ? [d] : [NEWLINE, d])), this.dataBytes);
    this.data = [];
    this.dataBytes = 0;
    emit(bytes);
  }

  private check(bytes: number): void {
    if (bytes > this.maxEventBytes) {
      throw new TripleError(
        `an event of more than ${this.maxEventBytes} bytes exceeds the read limit (raise readMaxBytes to accept it)`,
        Code.ResourceExhausted,
      );
    }
  }
}
