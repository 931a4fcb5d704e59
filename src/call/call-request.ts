import type { MethodBinding } from "../call-options.js";
import type { StreamRequest } from "../interceptors.js";
import type { MethodKind, RequestHeadersInit } from "../protocol/protocol.js";
import { methodUrl } from "../protocol/url.js";

/** What unary and streaming requests share before interceptors see them. */
export type CallRequestBase = Omit<StreamRequest, "stream">;

/**
 * Builds the URL and metadata of a call of any kind in one place, so version, group, timeout and
 * compression cannot differ between call kinds. The dialect's `requestHeaders` decides which
 * headers carry them.
 */
export function callRequestBase(
  binding: MethodBinding,
  requestHeaders: (init: RequestHeadersInit) => Headers,
  init: { kind: MethodKind; headers: HeadersInit | undefined; signal: AbortSignal; timeoutMs: number | undefined },
): CallRequestBase {
  const { transport, method, service } = binding;
  return {
    service,
    method,
    url: methodUrl(transport.baseUrl, method),
    header: requestHeaders({
      kind: init.kind,
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
