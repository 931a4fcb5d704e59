import { describe, expect, it } from "vitest";
import { Code } from "triple-es";
import { gzip } from "triple-es/gzip";

describe("gzip", () => {
  it("round-trips bytes", async () => {
    const input = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 31) & 0xff);
    const packed = await gzip.compress(input);
    expect(packed.byteLength).toBeLessThan(input.byteLength);
    expect(await gzip.decompress(packed, 1 << 20)).toEqual(input);
  });

  it("stops a decompression bomb at the read limit with ResourceExhausted", async () => {
    const bomb = await gzip.compress(new Uint8Array(8 * 1024 * 1024));
    expect(bomb.byteLength).toBeLessThan(20_000);
    await expect(gzip.decompress(bomb, 1024 * 1024)).rejects.toMatchObject({ code: Code.ResourceExhausted });
  });

  it("reports corrupt data as Internal", async () => {
    await expect(gzip.decompress(Uint8Array.of(1, 2, 3, 4, 5), 1024)).rejects.toMatchObject({ code: Code.Internal });
  });
});
