import { DEFAULT_MAX_BYTES } from "../limits.js";
import { binaryFormat } from "../format/binary.js";
import type { TransportConfig, TransportOptions } from "./transport.js";

/** Resolves the options every transport shares into their final values, once, at creation. */
export function resolveTransportConfig(options: TransportOptions): TransportConfig {
  if (typeof options.baseUrl !== "string" || options.baseUrl === "") {
    throw new TypeError("createTransport: baseUrl is required, e.g. http://127.0.0.1:50051");
  }
  const format = options.format === undefined || options.format === "binary" ? binaryFormat : options.format;
  if (typeof format !== "object") {
    throw new TypeError(
      `format "${String(options.format)}" needs its codec: import { json } from "triple-es/json" and pass format: json()`,
    );
  }
  return {
    baseUrl: options.baseUrl,
    format,
    protocol: options.protocol,
    timeoutMs: options.timeoutMs,
    headers: new Headers(options.headers),
    interceptors: options.interceptors ?? [],
    acceptCompression: options.compression?.accept ?? [],
    sendCompression: options.compression?.send,
    compressMinBytes: options.compression?.minBytes ?? 1024,
    readMaxBytes: options.readMaxBytes ?? DEFAULT_MAX_BYTES,
    writeMaxBytes: options.writeMaxBytes ?? DEFAULT_MAX_BYTES,
    retry: options.retry,
  };
}
