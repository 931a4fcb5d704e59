import { Code } from "../code.js";
import { TripleError } from "../errors.js";

/**
 * Reads a whole body, failing with `ResourceExhausted` as soon as it exceeds `maxBytes` (and
 * cancelling the rest) rather than after buffering an unbounded answer.
 */
export async function readAllBytes(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
  what = "the response body",
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const r = await reader.read();
    if (r.done) break;
    size += r.value.byteLength;
    if (size > maxBytes) {
      void reader.cancel().catch(() => {});
      throw new TripleError(
        `${what} exceeds the read limit of ${maxBytes} bytes (raise readMaxBytes to accept it)`,
        Code.ResourceExhausted,
      );
    }
    chunks.push(r.value);
  }
  return concatBytes(chunks, size);
}

/** Joins chunks into one buffer; a single chunk is returned as is, uncopied. */
export function concatBytes(chunks: readonly Uint8Array[], size = chunks.reduce((n, c) => n + c.byteLength, 0)): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** Error bodies are read for their message only, so a cap of 64 KiB is plenty. */
export const ERROR_BODY_MAX_BYTES = 64 * 1024;

/** Reads an error body as text, tolerating a body that is too long or that fails midway. */
export async function readErrorText(body: ReadableStream<Uint8Array> | null): Promise<string> {
  if (body === null) return "";
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let text = "";
  try {
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      text += decoder.decode(r.value, { stream: true });
      if (text.length > ERROR_BODY_MAX_BYTES) {
        void reader.cancel().catch(() => {});
        break;
      }
    }
  } catch {
    // The status code still tells what happened; a broken error body adds nothing.
  }
  return text;
}
