import { Code } from "../code.js";
import { isAbortError, TripleError } from "../errors.js";
import { originOf } from "../protocol/url.js";
import { resolveTransportConfig } from "./config.js";
import type { HttpRequest, HttpResponse, RequestStreaming, Transport, TransportOptions } from "./transport.js";

/** Options for {@link createFetchTransport}. */
export interface FetchTransportOptions extends TransportOptions {
  /**
   * The fetch to use: a runtime's own, a test double, one bound to a Cloudflare service binding.
   * Defaults to the global `fetch`, looked up at call time so later patches (msw) apply.
   */
  fetch?: typeof globalThis.fetch;
}

/**
 * A transport over the Fetch API, for browsers, Deno, Bun, Cloudflare Workers and Node.
 * It sets no `mode`, `credentials` or `redirect`: workerd rejects some of those, and the
 * runtime defaults are right for an API call.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const config = resolveTransportConfig(options);
  const customFetch = options.fetch;
  const canStream = supportsRequestStreams();
  // Origins where a streaming body failed although the origin answers plain requests.
  const noStreaming = new Set<string>();
  return {
    ...config,
    async roundTrip(req: HttpRequest): Promise<HttpResponse> {
      const init: RequestInit & { duplex?: "half" } = {
        method: "POST",
        headers: req.headers,
        body: req.body as BodyInit,
        signal: req.signal,
      };
      if (req.body instanceof ReadableStream) init.duplex = "half";
      let res: Response;
      try {
        res = await (customFetch ?? globalThis.fetch)(req.url, init);
      } catch (e) {
        throw fetchError(e, req);
      }
      return {
        status: res.status,
        headers: res.headers,
        body: res.body === null ? null : mapBodyErrors(res.body, req),
      };
    },
    requestStreaming(url: string): RequestStreaming {
      return canStream && !noStreaming.has(originOf(url)) ? "half-duplex" : "none";
    },
    async diagnoseStreamingFailure(url: string, error: unknown, signal?: AbortSignal): Promise<boolean> {
      // Only a fetch that rejected with a TypeError (not an abort, not an HTTP answer) qualifies.
      if (!(error instanceof TripleError && error.code === Code.Unavailable && error.cause instanceof TypeError)) {
        return false;
      }
      // A HEAD without a body tells "unreachable" (rejects again) from "refused to stream" (answers).
      try {
        const res = await (customFetch ?? globalThis.fetch)(url, { method: "HEAD", ...(signal ? { signal } : {}) });
        await res.body?.cancel().catch(() => {});
      } catch {
        return false;
      }
      noStreaming.add(originOf(url));
      return true;
    },
  };
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

function fetchError(e: unknown, req: HttpRequest): TripleError {
  if (req.signal.aborted) return TripleError.from(req.signal.reason);
  if (e instanceof TripleError) return e;
  if (isAbortError(e)) return TripleError.from(e);
  const why = e instanceof Error ? describe(e) : String(e);
  return new TripleError(`cannot reach ${req.url}: ${why}`, Code.Unavailable, { cause: e });
}

/** Node's fetch hides the socket error in `cause`; surface it, since it names the real problem. */
function describe(e: Error): string {
  const cause = (e as { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message !== e.message) return `${e.message} (${cause.message})`;
  return e.message;
}

/**
 * Passes the body through unchanged, except that a failing read becomes a TripleError: the
 * call's abort reason if it was aborted, `Unavailable` if the connection broke.
 */
function mapBodyErrors(body: ReadableStream<Uint8Array>, req: HttpRequest): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const { signal } = req;
  // Not every fetch errors its body on abort (msw's mocked responses and some polyfills do not),
  // and a deadline must hold whatever the fetch does: on abort the body is cancelled, which ends
  // a pending read. One listener for the body's life, as one per read costs more than the read.
  const onAbort = () => void reader.cancel(signal.reason).catch(() => {});
  signal.addEventListener("abort", onAbort, { once: true });
  const release = () => signal.removeEventListener("abort", onAbort);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (signal.aborted) throw signal.reason;
          const r = await reader.read();
          if (signal.aborted) throw signal.reason;
          if (r.done) {
            release();
            controller.close();
          } else {
            controller.enqueue(r.value);
          }
        } catch (e) {
          release();
          controller.error(
            signal.aborted
              ? TripleError.from(signal.reason)
              : e instanceof TripleError
                ? e
                : new TripleError(`the connection failed while reading the response: ${String(e)}`, Code.Unavailable, {
                    cause: e,
                  }),
          );
        }
      },
      cancel(reason) {
        release();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
