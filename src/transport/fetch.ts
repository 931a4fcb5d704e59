import { Code } from "../code.js";
import { isAbortError, TripleError } from "../errors.js";
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
    requestStreaming(): RequestStreaming {
      return canStream ? "half-duplex" : "none";
    },
  };
}

/**
 * Whether this runtime's fetch accepts a ReadableStream body. Detected the way the Fetch spec
 * allows: a runtime that supports it reads the `duplex` option and does not turn the stream
 * into a text body with a Content-Type.
 */
export function supportsRequestStreams(): boolean {
  let duplexRead = false;
  try {
    const hasContentType = new Request("http://localhost/", {
      method: "POST",
      body: new ReadableStream(),
      get duplex() {
        duplexRead = true;
        return "half";
      },
    } as RequestInit).headers.has("content-type");
    return duplexRead && !hasContentType;
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
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const r = await reader.read();
          if (r.done) controller.close();
          else controller.enqueue(r.value);
        } catch (e) {
          controller.error(
            req.signal.aborted
              ? TripleError.from(req.signal.reason)
              : e instanceof TripleError
                ? e
                : new TripleError(`the connection failed while reading the response: ${String(e)}`, Code.Unavailable, {
                    cause: e,
                  }),
          );
        }
      },
      cancel(reason) {
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
