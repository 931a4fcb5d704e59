import type { RequestHeadersInit } from "../protocol/protocol.js";
import { baseRequestHeaders, encodeTimeout, PROTOCOL_VERSION } from "../protocol/request-headers.js";
import { contentType } from "./content-type.js";

/**
 * The dubbo-js dialect's request metadata for any call kind. The timeout goes out under the
 * Triple name and under dubbo-go's (`Triple-Timeout-Ms`), so that unary calls through this, the
 * default dialect, keep their deadline on a dubbo-go server too; the other servers ignore it.
 */
export function requestHeaders(init: RequestHeadersInit): Headers {
  const h = baseRequestHeaders(init);
  const stream = init.kind !== "unary";
  h.set("content-type", contentType(init.format, stream));
  h.set("tri-protocol-version", PROTOCOL_VERSION);
  if (init.timeoutMs !== undefined) {
    const ms = encodeTimeout(init.timeoutMs);
    h.set("tri-service-timeout", ms);
    h.set("triple-timeout-ms", ms);
  }
  if (stream) {
    // Stream compression is per message and ours to do. Unary bodies use plain Content-Encoding,
    // which fetch implementations decode on their own, so Accept-Encoding is left to them.
    if (init.sendCompression !== undefined) h.set("connect-content-encoding", init.sendCompression.name);
    const accept = init.acceptCompression.map((c) => c.name).join(",");
    if (accept !== "") h.set("connect-accept-encoding", accept);
  }
  return h;
}
