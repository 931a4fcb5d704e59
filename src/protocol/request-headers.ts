import type { Compression } from "../compression.js";
import type { WireFormat } from "../format/wire-format.js";
import { contentType } from "../protocol-triple/content-type.js";

/** The Triple protocol version every dubbo-js and Dubbo Java 3.3 server checks for. */
export const PROTOCOL_VERSION = "1.0.0";

/** Inputs for {@link requestHeaders}. */
export interface RequestHeadersInit {
  readonly stream: boolean;
  readonly format: WireFormat;
  readonly timeoutMs: number | undefined;
  /** Service version and group; dubbo-js routes on them exactly, so they are sent only when set. */
  readonly version: string | undefined;
  readonly group: string | undefined;
  readonly sendCompression: Compression | undefined;
  readonly acceptCompression: readonly Compression[];
  /** Transport-wide headers, then the call's own headers (which win). */
  readonly defaults: Headers;
  readonly call: HeadersInit | undefined;
}

/**
 * Builds the request metadata for any call kind. Protocol headers are set last so user headers
 * cannot corrupt them by accident. The timeout goes out under both the Triple name and dubbo-go's
 * name (`Triple-Timeout-Ms`), which is harmless for the other servers.
 */
export function requestHeaders(init: RequestHeadersInit): Headers {
  const h = new Headers(init.defaults);
  if (init.call !== undefined) {
    new Headers(init.call).forEach((value, name) => h.set(name, value));
  }
  h.set("content-type", contentType(init.format, init.stream));
  h.set("tri-protocol-version", PROTOCOL_VERSION);
  if (init.timeoutMs !== undefined) {
    const ms = encodeTimeout(init.timeoutMs);
    h.set("tri-service-timeout", ms);
    h.set("triple-timeout-ms", ms);
  }
  if (init.version !== undefined && init.version !== "") h.set("tri-service-version", init.version);
  if (init.group !== undefined && init.group !== "") h.set("tri-service-group", init.group);
  if (init.stream) {
    // Stream compression is per message and ours to do. Unary bodies use plain Content-Encoding,
    // which fetch implementations decode on their own, so Accept-Encoding is left to them.
    if (init.sendCompression !== undefined) h.set("connect-content-encoding", init.sendCompression.name);
    const accept = init.acceptCompression.map((c) => c.name).join(",");
    if (accept !== "") h.set("connect-accept-encoding", accept);
  }
  return h;
}

/** Triple's timeout header carries 1 to 10 digits of milliseconds. */
export function encodeTimeout(timeoutMs: number): string {
  const ms = Math.min(Math.max(Math.ceil(timeoutMs), 1), 9_999_999_999);
  return String(ms);
}
