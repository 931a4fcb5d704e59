import { unexpectedContentType } from "../protocol/error-json.js";
import type { UnaryDialect } from "../protocol/protocol.js";
import { readAllBytes, readErrorText } from "../protocol/read-body.js";
import { JSON_CONTENT_TYPE, mediaType } from "./content-type.js";
import { requestHeaders } from "./headers.js";
import { javaErrorFromResponse, parseJavaErrorText } from "./validate-response.js";

/**
 * Dubbo Java 3.3's unary calls: a bare JSON message each way. Java sends no trailers over HTTP;
 * its attachments come back as response headers (over HTTP/2 only).
 */
export const javaUnary: UnaryDialect = {
  requestHeaders,
  async readResponse(res, ctx) {
    if (res.status !== 200) {
      throw javaErrorFromResponse(res.status, res.headers, await readErrorText(res.body));
    }
    if (mediaType(res.headers.get("content-type")) !== JSON_CONTENT_TYPE) {
      const text = await readErrorText(res.body);
      throw parseJavaErrorText(text, res.headers) ?? unexpectedContentType(res.headers, JSON_CONTENT_TYPE, text);
    }
    return { header: res.headers, trailer: new Headers(), body: await readAllBytes(res.body, ctx.readMaxBytes) };
  },
};
