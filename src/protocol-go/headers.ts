import type { RequestHeadersInit } from "../protocol/protocol.js";
import { baseRequestHeaders, encodeTimeout } from "../protocol/request-headers.js";
import { contentType } from "../protocol-triple/content-type.js";

/**
 * dubbo-go 3.3's request metadata: the unary content types of the Triple dialect, the deadline in
 * `Triple-Timeout-Ms` (the only timeout header dubbo-go reads over HTTP). No protocol version is
 * sent: dubbo-go reads `Triple-Protocol-Version` and refuses any value but its own `0.1.0`.
 */
export function requestHeaders(init: RequestHeadersInit): Headers {
  const h = baseRequestHeaders(init);
  h.set("content-type", contentType(init.format, false));
  if (init.timeoutMs !== undefined) h.set("triple-timeout-ms", encodeTimeout(init.timeoutMs));
  return h;
}
