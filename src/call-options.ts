import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { Transport } from "./transport/transport.js";
import type { UploadProgress } from "./call/upload-progress.js";
import type { RetryPolicy } from "./call/retry-hook.js";

/** Options fixed when a client is created. */
export interface ClientOptions {
  /** Service version (`TRI-Service-Version`); dubbo-js routes on it exactly. */
  version?: string;
  /** Service group (`TRI-Service-Group`); dubbo-js routes on it exactly. */
  group?: string;
}

/** Options for one call. */
export interface CallOptions {
  /** Aborting it ends the call with `Canceled` and cancels the request on the server. */
  signal?: AbortSignal;
  /**
   * Deadline in milliseconds: sent to the server and enforced locally, whatever the server does.
   * Wins over the transport's default; `0`, a negative number, `NaN`, `Infinity` or anything over
   * 2^31−1 (the longest timer) means no deadline, so `timeoutMs: 0` turns a default off.
   */
  timeoutMs?: number;
  /** Metadata for this call; wins over the transport's headers. */
  headers?: HeadersInit;
  /** Called with the response headers as soon as they arrive. */
  onHeader?(headers: Headers): void;
  /** Called with the trailers when the call ends well. */
  onTrailer?(trailers: Headers): void;
  /**
   * Upload progress of a unary, client-streaming or bidi call's request body: bytes handed to the
   * network, the total once known, and bytes the far side acknowledged where the transport can
   * know it (see {@link UploadProgress} for what each number means per transport). Reported once
   * for a body sent whole, once per chunk for a streamed one; never called when unset.
   */
  onUploadProgress?(progress: UploadProgress): void;
  /**
   * This call's retry policy, over the transport's: `false` turns retries off for the call, a
   * policy from `retryPolicy()` (or `policy.with({ force: true })`, which keeps the transport's
   * budget) replaces it. Unary and server-streaming calls only; client and bidi streams are never
   * retried (their requests are a live stream that is not kept), and ignore it.
   */
  retry?: RetryPolicy | false;
}

/**
 * Everything a method function needs, bound once when the client is made. It lives here, not in
 * `client.ts`, so that the call code can name it without importing the client (no import circle).
 */
export interface MethodBinding {
  readonly service: DescService;
  readonly method: DescMethod;
  readonly transport: Transport;
  readonly options: ClientOptions;
}
