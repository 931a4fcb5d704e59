import { Code } from "../code.js";
import { isAbortError, TripleError } from "../errors.js";
import { originOf } from "../protocol/url.js";
import { resolveTransportConfig } from "./config.js";
import type { HttpGet } from "./http-get.js";
import type { HttpRequest, HttpResponse, RequestStreaming, Transport, TransportOptions } from "./transport.js";

/** Options for {@link createFetchTransport}. */
export interface FetchTransportOptions extends TransportOptions {
  /**
   * The fetch to use: a runtime's own, a test double, one bound to a Cloudflare service binding.
   * Defaults to the global `fetch`, looked up at call time so later patches (msw) apply.
   */
  fetch?: typeof globalThis.fetch;
  /**
   * The request's credentials mode, for APIs authenticated by cookies on another origin:
   * `"include"` sends the cookies on CORS calls (the server must answer with
   * `Access-Control-Allow-Credentials: true` and a concrete origin). Unset, the runtime's default
   * applies (`"same-origin"` in browsers); it is left unset by default because workerd rejects the
   * field.
   */
  credentials?: RequestCredentials;
  /**
   * Opt-in: `httpGet()` from `triple-es/http-get` sends unary calls of methods marked
   * `NO_SIDE_EFFECTS` as GET, so HTTP caches can keep them (dubbo-js servers only: with another
   * `protocol` this option is a `TypeError`). Unset, every call is a POST.
   */
  httpGet?: HttpGet;
}

/**
 * A transport over the Fetch API, for browsers, Deno, Bun, Cloudflare Workers and Node.
 *
 * A redirect fails the call (`redirect: "error"`, as `Unavailable`): an RPC answered by a
 * redirect is a misrouted call (a login page, a moved API), and following it would resend the
 * request, body and metadata, somewhere the caller did not name. It also spares Node's fetch the
 * copy of every request it keeps for following redirects. Cloudflare Workers are the exception:
 * workerd rejects `"error"`, so there the runtime's default applies. No `mode` is set, and
 * `credentials` only when asked: the runtime defaults are right for an API call.
 *
 * An empty body (a unary call whose message has every field at its default) is sent as no body:
 * the same request on the wire, and undici 7 over HTTP/2 never sends a zero-byte body, so the
 * call would wait forever for an answer to a request that never ended.
 */
export function createFetchTransport(options: FetchTransportOptions): Transport {
  const config = resolveTransportConfig(options);
  const customFetch = options.fetch;
  const credentials = options.credentials;
  const toGet = options.httpGet?.(config);
  const redirectError = !isWorkerd();
  return {
    ...config,
    async roundTrip(req: HttpRequest): Promise<HttpResponse> {
      const init: RequestInit & { duplex?: "half" } = {
        method: "POST",
        headers: req.headers,
        signal: req.signal,
      };
      if (req.body instanceof ReadableStream) {
        init.body = req.body;
        init.duplex = "half";
      } else if (req.body.byteLength > 0) {
        init.body = req.body as BodyInit;
      }
      if (redirectError) init.redirect = "error";
      if (credentials !== undefined) init.credentials = credentials;
      let res: Response;
      try {
        // The opt-in GET form rewrites init (method, headers, no body) and gives the URL.
        res = await (customFetch ?? globalThis.fetch)(toGet?.(req, init) ?? req.url, init);
      } catch (e) {
        throw fetchError(e, req);
      }
      return {
        status: res.status,
        headers: res.headers,
        body: res.body === null ? null : mapBodyErrors(res.body, req),
      };
    },
    requestStreaming: "fetch",
    fetch: customFetch,
  };
}

/** Cloudflare's workerd, which names itself in `navigator.userAgent` and rejects `redirect: "error"`. */
function isWorkerd(): boolean {
  return (globalThis as { navigator?: { userAgent?: unknown } }).navigator?.userAgent === "Cloudflare-Workers";
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
