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

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
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
          const r = await readOrAbort(reader, req.signal);
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

/**
 * One read that ends when the call's signal fires, even if the body never does: not every fetch
 * errors its body on abort (msw's mocked responses and some polyfills do not), and a deadline
 * must hold whatever the fetch implementation. The abandoned body is cancelled.
 */
function readOrAbort(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  signal: AbortSignal,
): Promise<ReadableStreamReadResult<Uint8Array>> {
  if (signal.aborted) {
    void reader.cancel(signal.reason).catch(() => {});
    return Promise.reject(signal.reason);
  }
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      reject(signal.reason);
      void reader.cancel(signal.reason).catch(() => {});
    };
    signal.addEventListener("abort", onAbort, { once: true });
    reader.read().then(
      (r) => {
        signal.removeEventListener("abort", onAbort);
        resolve(r);
      },
      (e) => {
        signal.removeEventListener("abort", onAbort);
        reject(e);
      },
    );
  });
}
