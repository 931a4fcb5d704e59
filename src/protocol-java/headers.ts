import type { RequestHeadersInit } from "../protocol/protocol.js";
import { baseRequestHeaders, encodeTimeout, PROTOCOL_VERSION } from "../protocol/request-headers.js";
import { JSON_CONTENT_TYPE } from "./content-type.js";

/**
 * Dubbo Java 3.3's request metadata. Every call is `application/json` (the only body its HTTP
 * routes take), and nothing asks for `text/event-stream`: an `Accept` naming it switches Java's
 * stream payloads to protobuf text format, so fetch's default `Accept` is left alone. Java reads
 * only `TRI-Service-Timeout` for a deadline.
 */
export function requestHeaders(init: RequestHeadersInit): Headers {
  const h = baseRequestHeaders(init);
  h.set("content-type", JSON_CONTENT_TYPE);
  h.set("tri-protocol-version", PROTOCOL_VERSION);
  if (init.timeoutMs !== undefined) h.set("tri-service-timeout", encodeTimeout(init.timeoutMs));
  return h;
}
