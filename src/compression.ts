/**
 * A content encoding. Implementations live behind opt-in imports (`triple-es/compression`)
 * so that clients which never compress carry no compression code.
 */
export interface Compression {
  /** The token in `Content-Encoding` / `Connect-Content-Encoding`, e.g. `gzip`. */
  readonly name: string;
  compress(bytes: Uint8Array): Promise<Uint8Array>;
  /**
   * Must fail with a `ResourceExhausted` TripleError as soon as the output would exceed
   * `maxBytes`, so a small compressed bomb cannot exhaust memory.
   */
  decompress(bytes: Uint8Array, maxBytes: number): Promise<Uint8Array>;
}

/** Finds the encoding a server named among the ones this client offered. */
export function findCompression(
  accepted: readonly Compression[],
  name: string | null,
): Compression | "identity" | undefined {
  if (name === null || name === "" || name === "identity") return "identity";
  return accepted.find((c) => c.name === name);
}
