import type { DescMethod, DescService, Message } from "@bufbuild/protobuf";

/** What every call's request has, unary or streaming. */
interface RequestCommon {
  readonly service: DescService;
  readonly method: DescMethod;
  /** The full URL; an interceptor may replace it (routing, canaries). */
  url: string;
  /** Request metadata; interceptors add to it (auth tokens, tracing). */
  readonly header: Headers;
  readonly signal: AbortSignal;
  /** The deadline in ms that will be sent and enforced, undefined for none. */
  readonly timeoutMs: number | undefined;
}

/** A unary call on its way out. */
export interface UnaryRequest extends RequestCommon {
  readonly stream: false;
  message: Message;
}

/** A unary call's result. */
export interface UnaryResponse {
  readonly stream: false;
  readonly header: Headers;
  readonly trailer: Headers;
  message: Message;
}

/**
 * A streaming call on its way out. Outgoing messages are not exposed here: they go straight
 * from `send()` into the write queue, so that readiness reflects the bytes really queued.
 */
export interface StreamRequest extends RequestCommon {
  readonly stream: true;
}

/**
 * A streaming call's result. `messages` is pull-based: wrap it with `pipeThrough` to observe or
 * transform responses without breaking backpressure.
 */
export interface StreamResponse {
  readonly stream: true;
  readonly header: Headers;
  messages: ReadableStream<Message>;
  /** Resolves with the trailers when the stream ends well, rejects with its TripleError otherwise. */
  readonly trailer: Promise<Headers>;
}

/** The next step of the chain: the following interceptor, or the network. */
export type Next = (request: UnaryRequest | StreamRequest) => Promise<UnaryResponse | StreamResponse>;

/**
 * Wraps calls: receives the next step and returns a replacement. One interceptor sees both kinds;
 * `request.stream` tells them apart, and the response has the same kind as the request.
 *
 * @example
 * const auth: Interceptor = (next) => async (req) => {
 *   req.header.set("authorization", `Bearer ${token}`);
 *   return next(req);
 * };
 */
export type Interceptor = (next: Next) => Next;

/** Applies interceptors so that the first in the list runs first. */
export function applyInterceptors(terminal: Next, interceptors: readonly Interceptor[]): Next {
  let next = terminal;
  for (let i = interceptors.length - 1; i >= 0; i--) {
    next = interceptors[i]!(next);
  }
  return next;
}
