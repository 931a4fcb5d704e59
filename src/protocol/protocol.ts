import type { DescMethod } from "@bufbuild/protobuf";
import type { Compression } from "../compression.js";
import type { TripleError } from "../errors.js";
import type { WireFormat } from "../format/wire-format.js";
import type { HttpResponse } from "../transport/transport.js";
import type { MessageReader } from "./message-reader.js";

/** The four kinds of RPC, as protobuf-es names them. */
export type MethodKind = DescMethod["methodKind"];

/**
 * What every dialect's request metadata is made from. The dialect decides which headers carry
 * it (content type, timeout header names, compression headers); the values are the call's.
 */
export interface RequestHeadersInit {
  readonly kind: MethodKind;
  readonly format: WireFormat;
  /** The deadline in milliseconds, undefined for none. */
  readonly timeoutMs: number | undefined;
  /** Service version and group; sent only when set, since servers route on them. */
  readonly version: string | undefined;
  readonly group: string | undefined;
  readonly sendCompression: Compression | undefined;
  readonly acceptCompression: readonly Compression[];
  /** Transport-wide headers, then the call's own headers (which win over them). */
  readonly defaults: Headers;
  readonly call: HeadersInit | undefined;
}

/** What reading any response needs to know about the call. */
export interface ReadContext {
  /** The request URL, for error messages that name where the call went. */
  readonly url: string;
  readonly format: WireFormat;
  /** Largest message (after decompression) accepted; every buffer a dialect keeps is bounded by it. */
  readonly readMaxBytes: number;
}

/** A successful unary response: its metadata and the bytes of its one message. */
export interface UnaryResponseBody {
  readonly header: Headers;
  readonly trailer: Headers;
  readonly body: Uint8Array;
}

/** A dialect's unary half: how a call's metadata is written and its response read. */
export interface UnaryDialect {
  /**
   * The request metadata; throws the `TripleError` of a call the dialect cannot carry (a format
   * its servers refuse), before anything is sent.
   */
  requestHeaders(init: RequestHeadersInit): Headers;
  /**
   * Checks the response and reads its message bytes, or throws the call's `TripleError`: an error
   * body in the dialect's shape, an unexpected content type (an HTML page from a proxy), a body
   * over the read limit.
   */
  readResponse(res: HttpResponse, ctx: ReadContext): Promise<UnaryResponseBody>;
}

/** What reading a stream response needs beyond {@link ReadContext}. */
export interface StreamReadContext<T> extends ReadContext {
  /** Encodings the client offered for response messages. */
  readonly acceptCompression: readonly Compression[];
  /** Turns one message's bytes into a message. */
  readonly parse: (bytes: Uint8Array) => T;
}

/** A stream response once its head was accepted: messages read as pulled, then the trailers. */
export interface StreamResponseBody<T> {
  readonly header: Headers;
  /**
   * The messages, one per `read()`, read from the network only as pulled. A failure is reported
   * after every message that arrived before it.
   */
  readonly reader: MessageReader<T>;
  /** The trailers once the body ended well; rejects with the call's error otherwise. */
  readonly trailer: Promise<Headers>;
}

/** A dialect's streaming half. */
export interface StreamDialect {
  requestHeaders(init: RequestHeadersInit): Headers;
  /**
   * How a server stream's single request travels: `envelope` (5-byte framed, like every request
   * of client and bidi streams) or `message` (the bare message, as a unary body; Dubbo Java's SSE).
   */
  readonly serverStreamRequest: "envelope" | "message";
  /** Checks the response head and returns its messages, or throws the call's `TripleError`. */
  readResponse<T>(res: HttpResponse, ctx: StreamReadContext<T>): Promise<StreamResponseBody<T>>;
}

/**
 * One of the HTTP dialects called Triple (dubbo-js, Dubbo Java 3.3, dubbo-go). A transport is
 * given one (`protocol` option; the dubbo-js dialect when none is given) and the call code speaks
 * through it, so the call code and the transports know no dialect, and each dialect is written once
 * for every transport. Pure functions over headers and bytes: no fetch, no sockets.
 */
export interface Protocol {
  /** For error messages and logs, e.g. "dubbo-java". */
  readonly name: string;
  /**
   * The error for a streaming call this dialect's servers cannot carry, given before anything is
   * sent, with a sentence naming what works instead; undefined when it can. (Unary calls are
   * checked by `unary.requestHeaders`, which keeps this out of unary-only bundles.)
   */
  refuse(kind: Exclude<MethodKind, "unary">, format: WireFormat, url: string): TripleError | undefined;
  readonly unary: UnaryDialect;
  /** Undefined for a dialect that carries no streams (its `refuse` turns every stream down). */
  readonly stream: StreamDialect | undefined;
}
