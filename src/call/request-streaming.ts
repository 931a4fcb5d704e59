import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { originOf } from "../protocol/url.js";

/**
 * How a call's requests travel:
 * - `streaming`: a request body stream fed by the write queue as the caller sends;
 * - `buffered`: one body holding every request, sent when the caller closes, for runtimes and
 *   origins where fetch cannot stream a request body (client streaming only; server streaming
 *   always sends its single request this way).
 */
export type RequestMode = "streaming" | "buffered";

/** The ways out, named in every error about request streaming, so a user knows what to change. */
const WAYS_OUT =
  "Serve the method over HTTP/2 (https:// for browsers; Node's fetch needs an undici Agent with allowH2), " +
  "or use a WebTransport transport. Client streaming still works without it: the requests are sent as one body on close.";

/**
 * The `Unimplemented` error of a bidi call that cannot work here: its requests must stream while
 * responses arrive, and this transport cannot stream a request body to `url`'s origin.
 */
export function bidiNeedsStreamingError(url: string): TripleError {
  return new TripleError(
    `bidi streaming needs a streaming request body, and this transport cannot stream one to ${originOf(url)} ` +
      `(the runtime's fetch has no streaming uploads, or refuses them over HTTP/1.1 as Chromium does). ${WAYS_OUT}`,
    Code.Unimplemented,
  );
}
