import { describe, expect, it } from "vitest";
import { appendBinaryHeader, decodeBinaryHeader, encodeBinaryHeader, getBinaryHeader } from "triple-es";

describe("binary metadata", () => {
  it("writes unpadded base64 and reads padded, unpadded and URL-safe forms", () => {
    const bytes = Uint8Array.of(0xfb, 0xff, 0x01, 0x02);
    expect(encodeBinaryHeader(bytes)).toBe("+/8BAg");
    expect(decodeBinaryHeader("+/8BAg")).toEqual(bytes);
    expect(decodeBinaryHeader("+/8BAg==")).toEqual(bytes);
    expect(decodeBinaryHeader("-_8BAg")).toEqual(bytes);
  });

  it("refuses a binary value under a name without -bin", () => {
    expect(() => appendBinaryHeader(new Headers(), "x-data", Uint8Array.of(1))).toThrow(/-bin/);
  });

  it("round-trips through Headers", () => {
    const h = new Headers();
    appendBinaryHeader(h, "x-data-bin", Uint8Array.of(0, 255));
    expect(getBinaryHeader(h, "x-data-bin")).toEqual(Uint8Array.of(0, 255));
    expect(getBinaryHeader(h, "x-missing-bin")).toBeUndefined();
  });
});
