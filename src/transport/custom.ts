import { resolveTransportConfig } from "./config.js";
import type { HttpRequest, HttpResponse, RequestStreaming, Transport, TransportOptions } from "./transport.js";

/** Options for {@link createTransport}: the shared transport options plus the network operation. */
export interface CustomTransportOptions extends TransportOptions {
  /**
   * Carries one exchange: send `request` (its URL, headers, body and signal are final), resolve
   * with the response head once it arrives, and let the body be read as the caller pulls it. A
   * failure should reject with a `TripleError` (`Unavailable` for an unreachable peer), and
   * `request.signal` must abort both the exchange and the body.
   */
  roundTrip(request: HttpRequest): Promise<HttpResponse>;
  /**
   * How far `roundTrip` streams request bodies: `"full-duplex"` (responses while the body is still
   * being sent), `"half-duplex"` (a streamed body, the response after it ends) or `"none"` (client
   * streams are sent as one body on `close()`, bidi fails with `Unimplemented`). Default `"none"`.
   */
  requestStreaming?: RequestStreaming;
}

/**
 * A transport over any carrier: a mock for tests, a message port to a worker, a native bridge in
 * a hybrid app. Every Triple concern (paths, headers, envelopes, errors, deadlines, flow control)
 * stays in the SDK, so the carrier only moves bytes; no private import is needed to write one.
 *
 * @example
 * const transport = createTransport({
 *   baseUrl: "https://api.example.com",
 *   roundTrip: async (req) => {
 *     const res = await myBridge.post(req.url, req.headers, req.body, req.signal);
 *     return { status: res.status, headers: res.headers, body: res.body };
 *   },
 * });
 */
export function createTransport(options: CustomTransportOptions): Transport {
  const config = resolveTransportConfig(options);
  const roundTrip = options.roundTrip;
  if (typeof roundTrip !== "function") {
    throw new TypeError("createTransport: roundTrip(request) is required");
  }
  return { ...config, roundTrip: (request) => roundTrip(request), requestStreaming: options.requestStreaming ?? "none" };
}
