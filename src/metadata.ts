import { base64Decode, base64Encode } from "@bufbuild/protobuf/wire";

/**
 * Binary metadata: header names ending in `-bin` carry base64. Values are written unpadded
 * (as gRPC does) and read padded or not, standard or URL-safe alphabet.
 */
export function encodeBinaryHeader(value: Uint8Array): string {
  return base64Encode(value, "std_raw");
}

/** Decodes a `-bin` header value; `base64Decode` accepts both alphabets and missing padding. */
export function decodeBinaryHeader(value: string): Uint8Array {
  return base64Decode(value);
}

/** Appends a binary value under `name`, which must end in `-bin` so servers know to decode it. */
export function appendBinaryHeader(headers: Headers, name: string, value: Uint8Array): void {
  if (!name.toLowerCase().endsWith("-bin")) {
    throw new TypeError(`binary metadata needs a name ending in "-bin", got "${name}"`);
  }
  headers.append(name, encodeBinaryHeader(value));
}

/**
 * Reads a binary header. `Headers.get` joins repeated values with ", ", so each part is decoded
 * and the bytes concatenated only when there is one; callers wanting every value use `getAll` style
 * splitting themselves. Returns undefined when absent.
 */
export function getBinaryHeader(headers: Headers, name: string): Uint8Array | undefined {
  const raw = headers.get(name);
  if (raw === null) return undefined;
  const first = raw.split(",")[0]!.trim();
  return decodeBinaryHeader(first);
}

/** Copies every header from `source` into `target`, appending so repeated names survive. */
export function mergeHeaders(target: Headers, source: Headers): Headers {
  source.forEach((value, name) => target.append(name, value));
  return target;
}
