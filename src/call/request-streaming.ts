import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { originOf } from "../protocol/url.js";
import type { RequestStreaming, Transport } from "../transport/transport.js";

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

/** Per "fetch" transport, the origins its runtime refused to stream a request body to. */
const refusedOrigins = new WeakMap<Transport, Set<string>>();
let runtimeStreams: boolean | undefined;

/** What `transport` can do with a streaming request body to `url`: declared, or detected for fetch. */
export function requestStreamingTo(transport: Transport, url: string): RequestStreaming {
  if (transport.requestStreaming !== "fetch") return transport.requestStreaming;
  runtimeStreams ??= supportsRequestStreams();
  return runtimeStreams && refusedOrigins.get(transport)?.has(originOf(url)) !== true ? "half-duplex" : "none";
}

/**
 * Called when a fetch whose body was a stream failed before any response. Resolves true when the
 * body was the cause: the runtime refused to stream it while the origin answers a plain HEAD
 * (Chromium over HTTP/1.1). The origin is then remembered as "none" for this transport. Only a
 * fetch that rejected with a TypeError qualifies (not an abort, not an HTTP answer). `signal` is
 * the call's: the check ends with the call.
 */
export async function diagnoseStreamingFailure(transport: Transport, url: string, error: unknown, signal: AbortSignal): Promise<boolean> {
  if (transport.requestStreaming !== "fetch") return false;
  if (!(error instanceof TripleError && error.code === Code.Unavailable && error.cause instanceof TypeError)) return false;
  try {
    const res = await (transport.fetch ?? globalThis.fetch)(url, { method: "HEAD", signal });
    await res.body?.cancel().catch(() => {});
  } catch {
    return false;
  }
  const origins = refusedOrigins.get(transport) ?? new Set<string>();
  refusedOrigins.set(transport, origins);
  origins.add(originOf(url));
  return true;
}

/**
 * Whether this runtime's fetch accepts a ReadableStream body. A runtime that does not turns the
 * stream into the text "[object ReadableStream]" with a text/plain Content-Type (Firefox, Safari);
 * one that does leaves the Content-Type unset. The spec's `duplex` option is offered, but a
 * runtime need not read it: Deno and Bun stream without ever looking at it.
 */
export function supportsRequestStreams(): boolean {
  try {
    const hasContentType = new Request("http://localhost/", {
      method: "POST",
      body: new ReadableStream(),
      duplex: "half",
    } as RequestInit).headers.has("content-type");
    return !hasContentType;
  } catch {
    return false;
  }
}
