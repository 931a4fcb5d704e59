import { describe, expect, it } from "vitest";
import { Code, TripleError } from "triple-es";
import { SseParser } from "../../../src/protocol-java/sse.js";

const enc = new TextEncoder();
const dec = new TextDecoder();

function parse(chunks: (string | Uint8Array)[], maxEventBytes = 1 << 20): string[] {
  const parser = new SseParser({ maxEventBytes });
  const out: string[] = [];
  for (const c of chunks) parser.push(typeof c === "string" ? enc.encode(c) : c, (d) => out.push(dec.decode(d)));
  parser.end();
  return out;
}

const javaBody = 'data:{"seq":1,"payload":"AAE="}\n\ndata:{"seq":2}\n\ndata:{"text":"é ✓ 𝄞"}\n\n';
const javaEvents = ['{"seq":1,"payload":"AAE="}', '{"seq":2}', '{"text":"é ✓ 𝄞"}'];

describe("SseParser", () => {
  it("reads Java's events, one data line each", () => {
    expect(parse([javaBody])).toEqual(javaEvents);
  });

  it("reads the same events whatever the chunking: every split point, byte by byte", () => {
    const bytes = enc.encode(javaBody);
    for (let i = 0; i <= bytes.byteLength; i++) {
      expect(parse([bytes.subarray(0, i), bytes.subarray(i)])).toEqual(javaEvents);
    }
    expect(parse(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(javaEvents);
  });

  it("accepts CR, LF and CRLF line ends, also when CRLF is split across chunks", () => {
    expect(parse(["data: a\r\n\r\ndata: b\r\rdata: c\n\n"])).toEqual(["a", "b", "c"]);
    expect(parse(["data: a\r", "\n\r", "\ndata: b\r\n", "\r\n"])).toEqual(["a", "b"]);
  });

  it("joins multi-line data with LF, strips one space, skips comments, other fields and empty events", () => {
    expect(parse([": keep-alive\n\nevent: x\nid: 7\nretry: 10\n\ndata:  two\ndata:line\n\ndata\n\n"])).toEqual([" two\nline", ""]);
  });

  it("a body that ends inside an event is DataLoss", () => {
    for (const cut of ['data:{"seq":1}', 'data:{"seq":1}\n', "data"]) {
      let error: unknown;
      try {
        parse([cut]);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TripleError);
      expect((error as TripleError).code).toBe(Code.DataLoss);
    }
  });

  it("an event over the limit is ResourceExhausted, whether it arrives in one line or many, in one chunk or many", () => {
    const big = `data:${"x".repeat(200)}\n\n`;
    expect(() => parse([big], 100)).toThrowError(/exceeds the read limit/);
    const bytes = enc.encode(big);
    expect(() => parse(Array.from({ length: 20 }, (_, i) => bytes.subarray(i * 11, i * 11 + 11)), 100)).toThrowError(TripleError);
    expect(() => parse(["data:" + "y".repeat(60) + "\n" + "data:" + "y".repeat(60) + "\n\n"], 100)).toThrowError(/read limit/);
  });
});
