import { Code } from "../code.js";
import { findCompression } from "../compression.js";
import { TripleError } from "../errors.js";
import { errorFromHttpResponse, parseErrorText, unexpectedContentType } from "../protocol/error-json.js";
import { trailerPromise } from "../protocol/message-reader.js";
import type { StreamDialect } from "../protocol/protocol.js";
import { readErrorText } from "../protocol/read-body.js";
import { contentType, parseContentType } from "./content-type.js";
import { requestHeaders } from "./headers.js";
import { StreamBodyReader } from "./stream-body.js";

/**
 * Streams in the dubbo-js dialect: every request and response message in a 5-byte envelope
 * (`application/connect+proto|json`), the outcome in a JSON end-of-stream frame, message
 * compression negotiated with `Connect-Content-Encoding`.
 */
export const tripleStream: StreamDialect = {
  requestHeaders,
  serverStreamRequest: "envelope",
  async readResponse(res, ctx) {
    if (res.status === 505) {
      void res.body?.cancel().catch(() => {});
      throw httpVersionRefusedError(ctx.url, res.headers);
    }
    if (res.status !== 200) {
      throw errorFromHttpResponse(res.status, res.headers, await readErrorText(res.body));
    }
    const type = parseContentType(res.headers.get("content-type"));
    if (type === undefined || !type.stream || type.subtype !== ctx.format.subtype) {
      // A server that fails before streaming may answer 200 with a unary-style JSON error.
      const text = await readErrorText(res.body);
      throw parseErrorText(res.headers, text) ?? unexpectedContentType(res.headers, contentType(ctx.format, true), text);
    }
    const encoding = res.headers.get("connect-content-encoding");
    const compression = findCompression(ctx.acceptCompression, encoding);
    if (compression === undefined) {
      throw new TripleError(`the server compressed the stream with "${encoding}", which this client did not offer`, Code.Internal);
    }
    if (res.body === null) {
      throw new TripleError("the stream response has no body", Code.Internal);
    }
    const { trailer, settle, fail } = trailerPromise();
    const reader = new StreamBodyReader({
      body: res.body,
      parse: ctx.parse,
      compression,
      readMaxBytes: ctx.readMaxBytes,
      header: res.headers,
      onEnd: (end) => (end.error === undefined ? settle(end.trailer) : fail(end.error)),
    });
    return { header: res.headers, reader, trailer };
  },
};

/**
 * The `Unimplemented` error for an HTTP 505 answer: dubbo-js refuses bidi streaming over
 * HTTP/1.1 that way (it needs both directions at once, which HTTP/1.1 request bodies do not give).
 */
function httpVersionRefusedError(url: string, headers: Headers): TripleError {
  return new TripleError(
    `the server answered HTTP 505 (HTTP Version Not Supported) for ${url}: it does not serve this call over HTTP/1.1 ` +
      "(dubbo-js refuses bidi streaming there). Serve the method over HTTP/2 (https:// for browsers; Node's fetch " +
      "needs an undici Agent with allowH2), or use a WebTransport transport.",
    Code.Unimplemented,
    { metadata: headers },
  );
}
