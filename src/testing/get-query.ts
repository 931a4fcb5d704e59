import type { DescMethod } from "@bufbuild/protobuf";
import { base64Decode } from "@bufbuild/protobuf/wire";
import type { ServeRequest } from "./serve.js";

/** `MethodOptions.IdempotencyLevel.NO_SIDE_EFFECTS`: the methods dubbo-js (and the mock) take as GET. */
const NO_SIDE_EFFECTS = 1;

/** Whether a method is served as GET too, as dubbo-js does: unary and marked `NO_SIDE_EFFECTS`. */
export function servesGet(method: DescMethod): boolean {
  return method.methodKind === "unary" && (method.idempotency as number) === NO_SIDE_EFFECTS;
}

/**
 * The POST form of a GET in dubbo-js's query form (`?triple=v1.0.0&encoding=proto|json
 * [&compression=…][&base64=1]&message=…`, what `httpGet()` from `triple-es/http-get` sends), so the
 * mock serves both the same way: the encoding becomes the content type, `compression` the content
 * encoding, and the message (base64, either alphabet, or text) the body.
 */
export function getAsPost(url: URL, headers: Headers, signal: AbortSignal): ServeRequest {
  const q = url.searchParams;
  const h = new Headers(headers);
  const encoding = q.get("encoding");
  // An unknown encoding gets no content type, which the mock answers with 415, as dubbo-js does.
  if (encoding === "proto" || encoding === "json") h.set("content-type", `application/${encoding}`);
  const compression = q.get("compression");
  if (compression !== null) h.set("content-encoding", compression);
  const message = q.get("message") ?? "";
  const body = q.get("base64") === "1" ? base64Decode(message) : new TextEncoder().encode(message);
  return { headers: h, body, signal };
}
