import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import type { RequestHeadersInit } from "./protocol.js";

/** The Triple protocol version dubbo-js and Dubbo Java 3.3 servers check for (`TRI-Protocol-Version`). */
export const PROTOCOL_VERSION = "1.0.0";

/**
 * The start of every dialect's request metadata: the transport's headers, then the call's own
 * (which win), then version and group when set. Dialects set their protocol headers on top, last,
 * so that user headers cannot corrupt them by accident.
 */
export function baseRequestHeaders(init: RequestHeadersInit): Headers {
  const h = new Headers(init.defaults);
  if (init.call !== undefined) {
    let call: Headers;
    try {
      call = new Headers(init.call);
    } catch (e) {
      throw badMetadata(String(e), e);
    }
    call.forEach((value, name) => {
      // Metadata travels as HTTP/2 and HTTP/1.1 header values: printable ASCII (and tab) only.
      // Headers lets Latin-1 through, which servers read differently; binary goes in "-bin" keys.
      if (/[^\t\x20-\x7e]/.test(value)) throw badMetadata(`the value of "${name}" has a control or non-ASCII character`);
      h.set(name, value);
    });
  }
  if (init.version !== undefined && init.version !== "") h.set("tri-service-version", init.version);
  if (init.group !== undefined && init.group !== "") h.set("tri-service-group", init.group);
  return h;
}

/** The call's metadata cannot be sent: it fails before any request leaves, with InvalidArgument. */
function badMetadata(why: string, cause?: unknown): TripleError {
  return new TripleError(
    `invalid metadata: ${why}; use printable ASCII, or a "-bin" key with encodeBinaryHeader() for bytes`,
    Code.InvalidArgument,
    { cause },
  );
}

/** Triple's timeout headers carry 1 to 10 digits of milliseconds. */
export function encodeTimeout(timeoutMs: number): string {
  const ms = Math.min(Math.max(Math.ceil(timeoutMs), 1), 9_999_999_999);
  return String(ms);
}
