import { describe, expect, it } from "vitest";
import { Code, TripleError } from "triple-es";
import { EnvelopeDecoder, EnvelopeParser, encodeEnvelope, type Envelope } from "triple-es/internal";

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function payload(n: number, seed: number): Uint8Array {
  return Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed) & 0xff);
}

const messages = [payload(0, 1), payload(1, 2), payload(4, 3), payload(5, 4), payload(37, 5), payload(300, 6)];
const body = concat(messages.map((m, i) => encodeEnvelope(i === 3 ? 0x01 : 0, m)));

function parseChunks(chunks: Uint8Array[], readMaxBytes?: number): Envelope[] {
  const parser = new EnvelopeParser(readMaxBytes === undefined ? {} : { readMaxBytes });
  const out: Envelope[] = [];
  for (const c of chunks) parser.push(c, (e) => out.push({ flags: e.flags, data: e.data.slice() }));
  parser.end();
  return out;
}

function expectOriginal(out: Envelope[]): void {
  expect(out.map((e) => e.flags)).toEqual([0, 0, 0, 1, 0, 0]);
  expect(out.map((e) => Array.from(e.data))).toEqual(messages.map((m) => Array.from(m)));
}

describe("encodeEnvelope", () => {
  it("writes flags, a big-endian uint32 length and the payload", () => {
    const e = encodeEnvelope(0x02, payload(258, 0));
    expect(Array.from(e.subarray(0, 5))).toEqual([0x02, 0, 0, 1, 2]);
    expect(e.byteLength).toBe(263);
  });
});

describe("EnvelopeParser", () => {
  it("decodes the body in one chunk", () => {
    expectOriginal(parseChunks([body]));
  });

  it("decodes the body split at every single point", () => {
    for (let i = 0; i <= body.byteLength; i++) {
      expectOriginal(parseChunks([body.subarray(0, i), body.subarray(i)]));
    }
  });

  it("decodes the body split at every pair of points", () => {
    // Every (i, j) pair covers headers split in two places and payloads split around them.
    for (let i = 0; i <= 60; i++) {
      for (let j = i; j <= body.byteLength; j += 3) {
        expectOriginal(parseChunks([body.subarray(0, i), body.subarray(i, j), body.subarray(j)]));
      }
    }
  });

  it("decodes the body one byte at a time", () => {
    const bytes = Array.from({ length: body.byteLength }, (_, i) => body.subarray(i, i + 1));
    expectOriginal(parseChunks(bytes));
  });

  it("hands out views of the chunk, without copying, when an envelope lies inside it", () => {
    const parser = new EnvelopeParser();
    const seen: Envelope[] = [];
    parser.push(body, (e) => seen.push(e));
    expect(seen).toHaveLength(messages.length);
    for (const e of seen) expect(e.data.buffer).toBe(body.buffer);
  });

  it("rejects a length over the limit from the header alone, before any payload arrives", () => {
    const parser = new EnvelopeParser({ readMaxBytes: 100 });
    const header = encodeEnvelope(0, payload(101, 0)).subarray(0, 5);
    let error: unknown;
    try {
      parser.push(header, () => {});
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TripleError);
    expect((error as TripleError).code).toBe(Code.ResourceExhausted);
    expect((error as TripleError).message).toMatch(/101 bytes exceeds the read limit of 100/);
  });

  it("rejects a 4 GiB length prefix with the default limit", () => {
    const parser = new EnvelopeParser();
    expect(() => parser.push(Uint8Array.of(0, 0xff, 0xff, 0xff, 0xff), () => {})).toThrow(/exceeds the read limit of 4194304/);
  });

  it("reports a body cut off inside a header or a payload as DataLoss", () => {
    for (const cut of [3, 8, body.byteLength - 1]) {
      const parser = new EnvelopeParser();
      parser.push(body.subarray(0, cut), () => {});
      let error: unknown;
      try {
        parser.end();
      } catch (e) {
        error = e;
      }
      expect((error as TripleError).code).toBe(Code.DataLoss);
      expect((error as TripleError).message).toMatch(/cut off/);
    }
  });
});

describe("EnvelopeDecoder", () => {
  it("decodes a stream of arbitrary chunks", async () => {
    const chunks = [body.subarray(0, 2), body.subarray(2, 50), body.subarray(50)];
    const out: Envelope[] = [];
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        for (const chunk of chunks) c.enqueue(chunk);
        c.close();
      },
    }).pipeThrough(new EnvelopeDecoder());
    const reader = stream.getReader();
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      out.push(r.value);
    }
    expectOriginal(out);
  });

  it("errors with DataLoss when the stream ends inside an envelope", async () => {
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(body.subarray(0, body.byteLength - 2));
        c.close();
      },
    }).pipeThrough(new EnvelopeDecoder());
    const reader = stream.getReader();
    await expect(
      (async () => {
        for (;;) if ((await reader.read()).done) return;
      })(),
    ).rejects.toMatchObject({ code: Code.DataLoss });
  });

  it("reads its source only as envelopes are asked for", async () => {
    let pulls = 0;
    const env = encodeEnvelope(0, payload(10, 0));
    const source = new ReadableStream<Uint8Array>(
      {
        pull(c) {
          pulls++;
          c.enqueue(env);
        },
      },
      { highWaterMark: 0 },
    );
    const reader = source.pipeThrough(new EnvelopeDecoder()).getReader();
    await reader.read();
    await reader.read();
    // Quiescence without a clock: the source is in memory, so a few loop turns let every pull run.
    for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
    // Two envelopes asked for; the pipe may hold one chunk more in the decoder's writable queue.
    expect(pulls).toBeLessThanOrEqual(4);
    await reader.cancel();
  });
});
