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

/**
 * How long a diagnosed refusal is remembered, in milliseconds. The diagnosis cannot tell a real
 * refusal (Chromium over HTTP/1.1) from a network blip that happened to end before the HEAD: both
 * are a TypeError and a reachable origin. Remembered for good, one blip would buffer every later
 * client stream and fail every bidi call for the transport's life; forgotten after a minute, a
 * real refusal costs one failed attempt and one HEAD per minute, and a blip costs a minute.
 */
export const REFUSAL_MEMORY_MS = 60_000;

/** Per "fetch" transport, the origins its runtime refused to stream a request body to, and until when. */
const refusedOrigins = new WeakMap<Transport, Map<string, number>>();
let runtimeStreams: boolean | undefined;

/** What `transport` can do with a streaming request body to `url`: declared, or detected for fetch. */
export function requestStreamingTo(transport: Transport, url: string): RequestStreaming {
  if (transport.requestStreaming !== "fetch") return transport.requestStreaming;
  runtimeStreams ??= supportsRequestStreams();
  return runtimeStreams && !isRefused(transport, originOf(url)) ? "half-duplex" : "none";
}

/** Whether `origin` refused a streaming body less than {@link REFUSAL_MEMORY_MS} ago; forgets older refusals. */
function isRefused(transport: Transport, origin: string): boolean {
  const origins = refusedOrigins.get(transport);
  const until = origins?.get(origin);
  if (until === undefined) return false;
  if (Date.now() < until) return true;
  origins!.delete(origin);
  return false;
}

/**
 * Called when a fetch whose body was a stream failed before any response. Resolves true when the
 * body was the cause: the runtime refused to stream it while the origin answers a plain HEAD
 * (Chromium over HTTP/1.1). The origin is then remembered as "none" for this transport, for
 * {@link REFUSAL_MEMORY_MS} (then the next call tries streaming again). Only a
 * fetch that rejected with a TypeError, or with WebKit's `NotSupportedError`, qualifies (not an
 * abort, not an HTTP answer). `signal` is
 * the call's: the check ends with the call.
 */
export async function diagnoseStreamingFailure(transport: Transport, url: string, error: unknown, signal: AbortSignal): Promise<boolean> {
  if (transport.requestStreaming !== "fetch") return false;
  if (!(error instanceof TripleError && error.code === Code.Unavailable && isStreamRefusal(error.cause))) return false;
  try {
    const res = await (transport.fetch ?? globalThis.fetch)(url, { method: "HEAD", signal });
    await res.body?.cancel().catch(() => {});
  } catch {
    return false;
  }
  const origins = refusedOrigins.get(transport) ?? new Map<string, number>();
  refusedOrigins.set(transport, origins);
  origins.set(originOf(url), Date.now() + REFUSAL_MEMORY_MS);
  return true;
}

/**
 * How a runtime's fetch refuses a streaming body: a TypeError (Chromium over HTTP/1.1), or a
 * DOMException named `NotSupportedError` ("ReadableStream uploading is not supported": WebKit,
 * whose Request passes the feature probe below but whose fetch will not send the stream).
 */
function isStreamRefusal(cause: unknown): boolean {
  if (cause instanceof TypeError) return true;
  return typeof cause === "object" && cause !== null && (cause as { name?: unknown }).name === "NotSupportedError";
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
