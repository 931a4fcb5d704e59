import { Code } from "./code.js";
import type { Compression } from "./compression.js";
import { TripleError } from "./errors.js";
import { readAllBytes } from "./protocol/read-body.js";

/**
 * gzip through the platform's CompressionStream / DecompressionStream (browsers, Deno, Bun,
 * workerd, Node 18+), so no compression library is bundled. Import it only where used.
 *
 * @example createFetchTransport({ baseUrl, compression: { accept: [gzip], send: gzip } })
 */
export const gzip: Compression = {
  name: "gzip",
  compress: (bytes) => pump(bytes, new CompressionStream("gzip"), Infinity),
  decompress: (bytes, maxBytes) => pump(bytes, new DecompressionStream("gzip"), maxBytes),
};

async function pump(input: Uint8Array, transform: GenericTransformStream, maxBytes: number): Promise<Uint8Array> {
  const writer = (transform.writable as WritableStream<BufferSource>).getWriter();
  // Write and read concurrently: waiting for the write first deadlocks once output backs up.
  const written = writer.write(input as BufferSource).then(() => writer.close());
  written.catch(() => {});
  try {
    const output = await readAllBytes(transform.readable as ReadableStream<Uint8Array>, maxBytes, "a decompressed message");
    await written;
    return output;
  } catch (e) {
    if (e instanceof TripleError) throw e;
    throw new TripleError(`gzip data is corrupt: ${String(e)}`, Code.Internal, { cause: e });
  }
}
