import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { WireFormat } from "../format/wire-format.js";
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
  const refused = jsonOnly(init.format);
  if (refused !== undefined) throw refused;
  const h = baseRequestHeaders(init);
  h.set("content-type", JSON_CONTENT_TYPE);
  h.set("tri-protocol-version", PROTOCOL_VERSION);
  if (init.timeoutMs !== undefined) h.set("tri-service-timeout", encodeTimeout(init.timeoutMs));
  return h;
}

/** The `Unimplemented` error for any format but JSON, which is all Java's HTTP routes take. */
export function jsonOnly(format: WireFormat): TripleError | undefined {
  if (format.subtype === "json") return undefined;
  return new TripleError(
    'Dubbo Java 3.3 takes only JSON over HTTP (it answers application/proto with 415): pass format: json() from "triple-es/json"',
    Code.Unimplemented,
  );
}
