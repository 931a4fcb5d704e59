import type { ReadContext, UnaryDialect, UnaryResponseBody } from "../protocol/protocol.js";
import { errorFromHttpResponse, unexpectedContentType } from "../protocol/error-json.js";
import { readAllBytes, readErrorText } from "../protocol/read-body.js";
import type { HttpResponse } from "../transport/transport.js";
import { mergeHeaders } from "../metadata.js";
import { contentType, parseContentType } from "./content-type.js";
import { requestHeaders } from "./headers.js";
import { splitUnaryTrailers } from "./unary-trailers.js";

/**
 * Reads a unary response in the dubbo-js dialect, whose shape dubbo-go shares: a bare message,
 * `application/proto` or `application/json`, trailers as `trailer-*` headers, errors as JSON
 * bodies with a non-200 status.
 */
export async function readUnaryResponse(res: HttpResponse, ctx: ReadContext): Promise<UnaryResponseBody> {
  const { header, trailer } = splitUnaryTrailers(res.headers);
  if (res.status !== 200) {
    throw errorFromHttpResponse(res.status, mergeHeaders(header, trailer), await readErrorText(res.body));
  }
  const type = parseContentType(res.headers.get("content-type"));
  if (type === undefined || type.stream || type.subtype !== ctx.format.subtype) {
    const metadata = mergeHeaders(header, trailer);
    throw unexpectedContentType(metadata, contentType(ctx.format, false), await readErrorText(res.body));
  }
  return { header, trailer, body: await readAllBytes(res.body, ctx.readMaxBytes) };
}

/** Unary calls in the dubbo-js dialect: a bare message each way. */
export const tripleUnary: UnaryDialect = { requestHeaders, readResponse: readUnaryResponse };
