import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { parseEndStream } from "../../../src/protocol-triple/end-stream.js";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("parseEndStream", () => {
  it("reads an empty frame as success without trailers", () => {
    const end = parseEndStream(bytes("{}"), new Headers());
    expect(end.error).toBeUndefined();
    expect([...end.trailer]).toEqual([]);
  });

  it("reads multi-valued metadata as trailers", () => {
    const end = parseEndStream(bytes('{"metadata":{"x-a":["1","2"],"x-b":["3"]}}'), new Headers());
    expect(end.trailer.get("x-a")).toBe("1, 2");
    expect(end.trailer.get("x-b")).toBe("3");
  });

  it("reads an error in the dubbo-js and Connect shapes, with headers and trailers as metadata", () => {
    for (const error of ['{"status":9,"message":"m"}', '{"code":"failed_precondition","message":"m"}']) {
      const end = parseEndStream(bytes(`{"error":${error},"metadata":{"x-t":["t"]}}`), new Headers({ "x-h": "h" }));
      expect(end.error?.code).toBe(Code.FailedPrecondition);
      expect(end.error?.rawMessage).toBe("m");
      expect(end.error?.metadata.get("x-h")).toBe("h");
      expect(end.error?.metadata.get("x-t")).toBe("t");
    }
  });

  it("rejects a frame that is not JSON", () => {
    expect(() => parseEndStream(bytes("{nope"), new Headers())).toThrow(/not valid JSON/);
  });

  it("turns an error without a code into Unknown rather than success", () => {
    expect(parseEndStream(bytes('{"error":{"message":"x"}}'), new Headers()).error?.code).toBe(Code.Unknown);
  });
});
