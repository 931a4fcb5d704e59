import { PROTOCOL_VERSION } from "../protocol/request-headers.js";
import type { HttpRequest, TransportConfig } from "./transport.js";

/** Options for {@link httpGet}. */
export interface HttpGetOptions {
  /**
   * Longest URL sent as GET, in bytes (the encoded URL is ASCII, so characters); a call whose
   * URL would be longer goes as POST. Default 8192: proxies, CDNs and servers commonly refuse
   * request lines past 8 KiB (Node's default header limit is 16 KiB for the whole head).
   */
  maxUrlBytes?: number;
}

/**
 * What `createFetchTransport({ httpGet })` takes: checked against the transport's settings once,
 * at creation (a server dialect without GET is a `TypeError` there), it returns the per-exchange
 * step. That step leaves a request that must stay POST alone (returns undefined); otherwise it
 * turns the fetch `init` into a GET (method, headers, no body) and returns the URL to fetch.
 */
export type HttpGet = (config: TransportConfig) => (request: HttpRequest, init: RequestInit) => string | undefined;

/**
 * `MethodOptions_IdempotencyLevel.NO_SIDE_EFFECTS` (google/protobuf/descriptor.proto), written as
 * its number: importing the enum would bundle the whole descriptor.proto runtime.
 */
const NO_SIDE_EFFECTS = 1;

/** 8 KiB: see {@link HttpGetOptions.maxUrlBytes}. */
export const DEFAULT_MAX_URL_BYTES = 8192;

/**
 * Sends unary calls of methods marked `option idempotency_level = NO_SIDE_EFFECTS;` as HTTP GET,
 * so browsers, CDNs and proxies can cache them (when the server says so with `Cache-Control`;
 * dubbo-js sends none by default). dubbo-js servers accept it (`?triple=v1.0.0&encoding=…&message=…`);
 * Dubbo Java 3.3 answers GET with 500 and dubbo-go 3.3 with 405, so a transport with another
 * protocol refuses this option with a `TypeError`.
 *
 * The request has no body and no `Content-Type` or `TRI-Protocol-Version` header (both are in the
 * query), so without a deadline or custom metadata it is a CORS "simple" request: no preflight.
 * A deadline, version, group and metadata still travel as headers. Binary messages go base64url
 * (`base64=1`), JSON percent-encoded; a message the transport compressed goes base64 with
 * `compression=`. A URL longer than `maxUrlBytes` falls back to POST. Other methods, streams and
 * every transport but fetch are unaffected.
 *
 * An opt-in import, so that clients that never send GET carry none of this.
 *
 * @example
 * import { httpGet } from "triple-es/http-get";
 * const transport = createFetchTransport({ baseUrl, httpGet: httpGet() });
 */
export function httpGet(options: HttpGetOptions = {}): HttpGet {
  const maxUrlBytes = options.maxUrlBytes ?? DEFAULT_MAX_URL_BYTES;
  if (!Number.isSafeInteger(maxUrlBytes) || maxUrlBytes <= 0) {
    throw new TypeError(`httpGet: maxUrlBytes must be a positive integer, got ${String(maxUrlBytes)}`);
  }
  return (config) => {
    const dialect = config.protocol?.name ?? "dubbo-js";
    if (dialect !== "dubbo-js") {
      throw new TypeError(
        `httpGet works only with dubbo-js servers, not protocol "${dialect}": Dubbo Java 3.3 answers GET with 500 and ` +
          "dubbo-go 3.3 with 405 (neither reads the query form); remove httpGet from this transport",
      );
    }
    return (request, init) => {
      const get = toGetRequest(request, maxUrlBytes);
      if (get === undefined) return undefined;
      init.method = "GET";
      init.headers = get.headers;
      delete init.body;
      return get.url;
    };
  };
}

/** The GET form of an exchange: its URL with the message in the query, and its headers. */
export interface GetRequest {
  readonly url: string;
  readonly headers: Headers;
}

/**
 * The GET form of `request`, or undefined when it must stay POST: not a unary call of a
 * side-effect-free method, or a URL over `maxUrlBytes`.
 */
export function toGetRequest(request: HttpRequest, maxUrlBytes: number): GetRequest | undefined {
  const { rpc, body, headers } = request;
  if (
    rpc === undefined ||
    rpc.methodKind !== "unary" ||
    (rpc.idempotency as number) !== NO_SIDE_EFFECTS ||
    !(body instanceof Uint8Array)
  ) {
    return undefined;
  }
  const encoding = /^application\/(proto|json)/.exec(headers.get("content-type") ?? "")?.[1];
  if (encoding === undefined) return undefined;
  const compression = headers.get("content-encoding");
  const base64 = encoding === "proto" || compression !== null;
  let query = `triple=v${PROTOCOL_VERSION}&encoding=${encoding}`;
  if (compression !== null) query += `&compression=${encodeURIComponent(compression)}`;
  const message = base64 ? base64Url(body) : encodeURIComponent(new TextDecoder().decode(body));
  query += `${base64 ? "&base64=1" : ""}&message=${message}`;
  const url = `${request.url}${request.url.includes("?") ? "&" : "?"}${query}`;
  if (url.length > maxUrlBytes) return undefined;
  const getHeaders = new Headers(headers);
  for (const name of ["content-type", "content-encoding", "tri-protocol-version"]) getHeaders.delete(name);
  return { url, headers: getHeaders };
}

/**
 * Unpadded base64url, which dubbo-js's query reader accepts. `btoa` rather than protobuf-es's
 * encoder keeps this entry small; the URL bound keeps the string short.
 */
function base64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}
