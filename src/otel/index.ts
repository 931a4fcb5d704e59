/**
 * OpenTelemetry tracing for Triple calls (`triple-es/otel`): an interceptor that makes client
 * spans with the RPC semantic conventions and propagates W3C trace context. Opt-in: nothing else
 * imports it; `@opentelemetry/api` is an optional peer.
 */
export { createOtelInterceptor, type OtelInterceptorOptions } from "./interceptor.js";
export { RPC_SYSTEM, STATUS_CODE_ATTRIBUTE } from "./attributes.js";
