/** Dubbo Java 3.3 takes and answers unary calls and stream requests in JSON, bare. */
export const JSON_CONTENT_TYPE = "application/json";

/** Its server streams answer as Server-Sent Events, one `data:` event per message. */
export const SSE_CONTENT_TYPE = "text/event-stream";

/** The media type of a Content-Type header, lower-cased, without parameters ("" when absent). */
export function mediaType(value: string | null): string {
  return (value ?? "").split(";")[0]!.trim().toLowerCase();
}
