import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { DEFAULT_MAX_BYTES } from "../limits.js";

/**
 * Envelope flag: the payload is compressed with the stream's negotiated encoding. It means the
 * same in every dialect that frames messages (Triple, gRPC); other bits are each dialect's own.
 */
export const FLAG_COMPRESSED = 0b01;

/** One framed message: the flags byte and the payload (a view, not a copy, where possible). */
export interface Envelope {
  readonly flags: number;
  readonly data: Uint8Array;
}

export { DEFAULT_MAX_BYTES };

/** Writes the 5-byte prefix (flags, big-endian uint32 length) and the payload into one buffer. */
export function encodeEnvelope(flags: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + data.byteLength);
  writeEnvelopeInto(out, 0, flags, data);
  return out;
}

/** Writes one envelope at `offset` of `target`, which must have room; returns the next offset. */
export function writeEnvelopeInto(target: Uint8Array, offset: number, flags: number, data: Uint8Array): number {
  const len = data.byteLength;
  target[offset] = flags;
  target[offset + 1] = len >>> 24;
  target[offset + 2] = (len >>> 16) & 0xff;
  target[offset + 3] = (len >>> 8) & 0xff;
  target[offset + 4] = len & 0xff;
  target.set(data, offset + 5);
  return offset + 5 + len;
}

/** Options for {@link EnvelopeParser} and {@link EnvelopeDecoder}. */
export interface EnvelopeDecoderOptions {
  /** Envelopes announcing more than this many payload bytes fail before anything is allocated. */
  readMaxBytes?: number;
}

/**
 * Splits bytes into envelopes, whatever the chunking: an envelope may span many chunks, a chunk
 * may hold many envelopes. An envelope that lies inside one chunk comes out as a view of that
 * chunk, so the common case copies nothing; only envelopes split across chunks are assembled,
 * into a buffer of exactly their size, allocated only after the length passed the read limit.
 *
 * It is synchronous and push-driven so that stream code can decide when to feed it: the message
 * reader feeds it one network chunk at a time, only when its consumer wants more.
 */
export class EnvelopeParser {
  private readonly maxBytes: number;
  private readonly header = new Uint8Array(5);
  private headerFill = 0;
  private flags = 0;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;

  constructor(options: EnvelopeDecoderOptions = {}) {
    this.maxBytes = options.readMaxBytes ?? DEFAULT_MAX_BYTES;
  }

  /** Parses `chunk`, calling `emit` for each completed envelope, in order. */
  push(chunk: Uint8Array, emit: (envelope: Envelope) => void): void {
    let pos = 0;
    const end = chunk.byteLength;
    while (pos < end) {
      if (this.payload === undefined) {
        if (this.headerFill === 0 && end - pos >= 5) {
          // Fast path: a whole header in this chunk and no partial one pending.
          const flags = chunk[pos]!;
          const len = readLength(chunk, pos + 1);
          this.checkLength(len);
          pos += 5;
          if (end - pos >= len) {
            emit({ flags, data: chunk.subarray(pos, pos + len) });
            pos += len;
            continue;
          }
          this.flags = flags;
          this.payload = new Uint8Array(len);
          this.payloadFill = 0;
        } else {
          const take = Math.min(5 - this.headerFill, end - pos);
          this.header.set(chunk.subarray(pos, pos + take), this.headerFill);
          this.headerFill += take;
          pos += take;
          if (this.headerFill < 5) break;
          this.headerFill = 0;
          this.flags = this.header[0]!;
          const len = readLength(this.header, 1);
          this.checkLength(len);
          this.payload = new Uint8Array(len);
          this.payloadFill = 0;
        }
      }
      const take = Math.min(this.payload.byteLength - this.payloadFill, end - pos);
      this.payload.set(chunk.subarray(pos, pos + take), this.payloadFill);
      this.payloadFill += take;
      pos += take;
      if (this.payloadFill === this.payload.byteLength) {
        const data = this.payload;
        this.payload = undefined;
        emit({ flags: this.flags, data });
      }
    }
  }

  /**
   * Call when the input has ended: throws `DataLoss` if it ended inside an envelope, naming how
   * much of it arrived, because a cut-off body must never pass as a complete one.
   */
  end(): void {
    if (this.headerFill === 0 && this.payload === undefined) return;
    const have = this.payload === undefined ? this.headerFill : 5 + this.payloadFill;
    const want = this.payload === undefined ? "5+" : String(5 + this.payload.byteLength);
    throw new TripleError(
      `the body ended inside a message (${have} of ${want} bytes received): the response was cut off`,
      Code.DataLoss,
    );
  }

  private checkLength(len: number): void {
    if (len > this.maxBytes) {
      throw new TripleError(
        `message of ${len} bytes exceeds the read limit of ${this.maxBytes} bytes (raise readMaxBytes to accept it)`,
        Code.ResourceExhausted,
      );
    }
  }
}

/**
 * {@link EnvelopeParser} as a TransformStream, for code that works on raw Triple bodies
 * (`body.pipeThrough(new EnvelopeDecoder())`). Its readable side has a high-water mark of 0, so
 * the next chunk is read only when the next envelope is wanted.
 */
export class EnvelopeDecoder extends TransformStream<Uint8Array, Envelope> {
  constructor(options: EnvelopeDecoderOptions = {}) {
    const parser = new EnvelopeParser(options);
    super(
      {
        transform: (chunk, controller) => parser.push(chunk, (e) => controller.enqueue(e)),
        flush: () => parser.end(),
      },
      { highWaterMark: 1 },
      { highWaterMark: 0 },
    );
  }
}

function readLength(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}
