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
    new Headers(init.call).forEach((value, name) => h.set(name, value));
  }
  if (init.version !== undefined && init.version !== "") h.set("tri-service-version", init.version);
  if (init.group !== undefined && init.group !== "") h.set("tri-service-group", init.group);
  return h;
}

/** Triple's timeout headers carry 1 to 10 digits of milliseconds. */
export function encodeTimeout(timeoutMs: number): string {
  const ms = Math.min(Math.max(Math.ceil(timeoutMs), 1), 9_999_999_999);
  return String(ms);
}
