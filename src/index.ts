export { Code, codeToString } from "./code.js";
export { TripleError, type ErrorDetail, type TripleErrorInit } from "./errors.js";
export {
  createClient,
  createUnaryFn,
  createServerStreamFn,
  createClientStreamFn,
  createBidiStreamFn,
  type Client,
  type ClientOptions,
  type CallOptions,
  type MethodFn,
  type UnaryFn,
  type ServerStreamFn,
  type ClientStreamFn,
  type BidiStreamFn,
} from "./client.js";
export { findMethod } from "./find-method.js";
export { methodPropertyNames, type MethodProperty } from "./method-names.js";
export type { StreamInput } from "./call/client-stream.js";
export type { UploadProgress } from "./call/upload-progress.js";
export {
  DEFAULT_SEND_HIGH_WATER_MARK,
  type OpenOptions,
  type ResponseSide,
  type SendSide,
  type ServerStreamCall,
  type ClientStreamCall,
  type BidiStreamCall,
} from "./call/stream-call.js";
export type { RequestMode } from "./call/request-streaming.js";
export { createFetchTransport, type FetchTransportOptions } from "./transport/fetch.js";
export { createTransport, type CustomTransportOptions } from "./transport/custom.js";
export {
  createWebTransportTransport,
  type WebTransportTransport,
  type WebTransportTransportOptions,
  type WebTransportCertificateHash,
  type WebTransportConstructor,
  type WebTransportSessionLike,
} from "./transport/webtransport.js";
export type {
  Transport,
  TransportOptions,
  TransportConfig,
  HttpRequest,
  HttpResponse,
  RequestStreaming,
} from "./transport/transport.js";
export type { WireFormat } from "./format/wire-format.js";
/** A server dialect for `protocol:` (dubboJava() from triple-es/protocol-java, dubboGo() from triple-es/protocol-go). */
export type { Protocol } from "./protocol/protocol.js";
export type { Compression } from "./compression.js";
export type {
  Interceptor,
  Next,
  UnaryRequest,
  UnaryResponse,
  StreamRequest,
  StreamResponse,
} from "./interceptors.js";
export {
  encodeBinaryHeader,
  decodeBinaryHeader,
  appendBinaryHeader,
  getBinaryHeader,
} from "./metadata.js";
