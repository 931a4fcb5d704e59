import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { unexpectedContentType } from "../protocol/error-json.js";
import { trailerPromise } from "../protocol/message-reader.js";
import type { StreamDialect } from "../protocol/protocol.js";
import { readErrorText } from "../protocol/read-body.js";
import { mediaType, SSE_CONTENT_TYPE } from "./content-type.js";
import { requestHeaders } from "./headers.js";
import { SseBodyReader } from "./stream-body.js";
import { javaErrorFromResponse, parseJavaErrorText } from "./validate-response.js";

/**
 * Dubbo Java 3.3's server streams: the request as a bare JSON body, the response as Server-Sent
 * Events, one `data:` event per message, read as the consumer pulls. (Client and bidi streams
 * have no HTTP route on Java 3.3; the protocol refuses them before this is reached.)
 */
export const javaStream: StreamDialect = {
  requestHeaders,
  serverStreamRequest: "message",
  async readResponse(res, ctx) {
    if (res.status !== 200) {
      // An error before the first message keeps Java's status and comes as one SSE event.
      throw javaErrorFromResponse(res.status, res.headers, await readErrorText(res.body));
    }
    const type = mediaType(res.headers.get("content-type"));
    if (type !== SSE_CONTENT_TYPE) {
      const text = await readErrorText(res.body);
      // Java answers a stream of no messages with an empty 200 and no content type at all.
      if (type === "" && text === "") return { header: res.headers, reader: emptyReader, trailer: Promise.resolve(new Headers()) };
      throw parseJavaErrorText(text, res.headers) ?? unexpectedContentType(res.headers, SSE_CONTENT_TYPE, text);
    }
    if (res.body === null) {
      throw new TripleError("the stream response has no body", Code.Internal);
    }
    const { trailer, settle, fail } = trailerPromise();
    const reader = new SseBodyReader({
      body: res.body,
      parse: ctx.parse,
      readMaxBytes: ctx.readMaxBytes,
      header: res.headers,
      // Java sends no trailers: a clean end has an empty set.
      onEnd: (error) => (error === undefined ? settle(new Headers()) : fail(error)),
    });
    return { header: res.headers, reader, trailer };
  },
};

const emptyReader = {
  read: async (): Promise<ReadableStreamReadResult<never>> => ({ done: true, value: undefined }),
  cancel: async () => {},
};
