import type { MethodBinding } from "../client.js";
import type { StreamRequest } from "../interceptors.js";
import { requestHeaders } from "../protocol/request-headers.js";
import { methodUrl } from "../protocol/url.js";

/** What unary and streaming requests share before interceptors see them. */
export type CallRequestBase = Omit<StreamRequest, "stream">;

/**
 * Builds the URL and metadata of a call of either kind in one place, so version, group, timeout
 * and compression headers cannot differ between unary and streaming calls.
 */
export function callRequestBase(
  binding: MethodBinding,
  init: { stream: boolean; headers: HeadersInit | undefined; signal: AbortSignal; timeoutMs: number | undefined },
): CallRequestBase {
  const { transport, method, service } = binding;
  return {
    service,
    method,
    url: methodUrl(transport.baseUrl, method),
    header: requestHeaders({
      stream: init.stream,
      format: transport.format,
      timeoutMs: init.timeoutMs,
      version: binding.options.version,
      group: binding.options.group,
      sendCompression: transport.sendCompression,
      acceptCompression: transport.acceptCompression,
      defaults: transport.headers,
      call: init.headers,
    }),
    signal: init.signal,
    timeoutMs: init.timeoutMs,
  };
}
