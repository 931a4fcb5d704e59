import type { DescMethod } from "@bufbuild/protobuf";
import type { Compression } from "../compression.js";
import type { Interceptor } from "../interceptors.js";
import type { WireFormat } from "../format/wire-format.js";
import type { Protocol } from "../protocol/protocol.js";
import type { RetryPolicy } from "../call/retry-hook.js";

/**
 * One HTTP exchange as the protocol code sees it. Transports turn it into a real request
 * (fetch, a WebTransport stream); everything Triple-specific has already happened.
 */
export interface HttpRequest {
  readonly url: string;
  readonly headers: Headers;
  /** A whole body, or a stream of envelopes that the write queue fills as the caller sends. */
  readonly body: Uint8Array | ReadableStream<Uint8Array>;
  /**
   * What the body holds: one bare message (unary calls; a server stream in dialects that send its
   * request bare), or enveloped messages. Said here so that no transport parses a content type:
   * a transport that frames bodies itself (WebTransport) frames a message and passes envelopes on.
   */
  readonly bodyKind: "message" | "envelopes";
  readonly signal: AbortSignal;
  /**
   * The RPC a unary exchange carries (unset for streams), for a transport that picks the form of
   * a request per method: the fetch transport's opt-in `httpGet` sends side-effect-free methods
   * as GET.
   */
  readonly rpc?: DescMethod;
  /**
   * Set when the caller watches upload progress of a streamed body: a transport that learns how
   * many body bytes the far side has taken (the WebSocket transport, from the gateway's send
   * window) reports the running total here. Others ignore it.
   */
  readonly onUploadAcknowledged?: (totalBytes: number) => void;
}

/** The response head and a body that is read only as the caller pulls it. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
}

/**
 * How far a transport can stream a request body. Fetch over HTTP/1.1 in browsers cannot at all;
 * fetch over HTTP/2 in Chromium can, but sees the response only after the body ends; Deno's
 * fetch over h2 and WebTransport are full duplex.
 */
export type RequestStreaming = "full-duplex" | "half-duplex" | "none";

/** Settings every transport shares; the protocol code reads them, transports only carry them. */
export interface TransportConfig {
  readonly baseUrl: string;
  readonly format: WireFormat;
  /** The server's dialect; undefined means dubbo-js, whose code the call code names itself. */
  readonly protocol: Protocol | undefined;
  readonly timeoutMs: number | undefined;
  readonly headers: Headers;
  readonly interceptors: readonly Interceptor[];
  /** Encodings offered to the server for responses. */
  readonly acceptCompression: readonly Compression[];
  /** Encoding for request bodies / messages, if any. */
  readonly sendCompression: Compression | undefined;
  /** Messages smaller than this are sent uncompressed even when sendCompression is set. */
  readonly compressMinBytes: number;
  /** Largest message (after decompression) accepted from the server. */
  readonly readMaxBytes: number;
  /** Largest message this client will send. */
  readonly writeMaxBytes: number;
  /** Retries for unary and server-streaming calls; undefined: every call is attempted once. */
  readonly retry: RetryPolicy | undefined;
}

/**
 * A transport: shared settings plus the one network operation. Protocol code is written once
 * against this interface, so fetch and WebTransport share every line of Triple handling.
 */
export interface Transport extends TransportConfig {
  roundTrip(request: HttpRequest): Promise<HttpResponse>;
  /**
   * How far this transport streams request bodies: known up front ("full-duplex" for
   * WebTransport), or "fetch" for a transport over the Fetch API, whose support the stream code
   * detects, not assumes: a feature test of the runtime, then, when a streaming request fails
   * before any response, a HEAD through `fetch` that tells an unreachable origin from one the
   * runtime refuses to stream to (Chromium over HTTP/1.1), remembered per origin. The detection
   * lives with the stream code, so a unary-only bundle carries none of it.
   */
  readonly requestStreaming: RequestStreaming | "fetch";
  /** The fetch a "fetch" transport calls (for the HEAD); undefined: the global one, at call time. */
  readonly fetch?: typeof globalThis.fetch | undefined;
}

/** The options every transport factory accepts. */
export interface TransportOptions {
  /** Where the Triple server is, e.g. `https://api.example.com` or `http://127.0.0.1:50051/prefix`. */
  baseUrl: string;
  /** Message encoding; `"binary"` (the default) or a format object such as `json()` from `triple-es/json`. */
  format?: "binary" | WireFormat;
  /**
   * The server's dialect of Triple. Default: dubbo-js (`@apachedubbo/dubbo-node`). For a Dubbo
   * Java 3.3 server `dubboJava()` from `triple-es/protocol-java`, for dubbo-go `dubboGo()` from
   * `triple-es/protocol-go`: each is an opt-in import, so clients of the default carry none of them.
   */
  protocol?: Protocol;
  /**
   * Default deadline for every call, in milliseconds; a call's own `timeoutMs` wins (`0` there
   * turns this off for that call). Not a finite number above 0, or over 2^31−1: no deadline.
   */
  timeoutMs?: number;
  /** Headers sent with every call. */
  headers?: HeadersInit;
  /** Run around every call, first one outermost. */
  interceptors?: readonly Interceptor[];
  compression?: {
    /** Encodings to accept, e.g. `[gzip]` from `triple-es/compression`. */
    accept?: readonly Compression[];
    /** Encoding for what the client sends; the server must support it. */
    send?: Compression;
    /** Don't compress messages smaller than this many bytes. Default 1024. */
    minBytes?: number;
  };
  /** Largest message accepted from the server, after decompression. Default 4 MiB. */
  readMaxBytes?: number;
  /** Largest message this client sends. Default 4 MiB. */
  writeMaxBytes?: number;
  /**
   * Retries, opt-in: `retryPolicy({ maxAttempts: 3 })` from `triple-es/retry`. Only methods the
   * proto marks `NO_SIDE_EFFECTS` or `IDEMPOTENT` are retried (unless the policy says `force`),
   * unary calls and server streams before their first message; a call's own `retry` wins.
   */
  retry?: RetryPolicy;
}
