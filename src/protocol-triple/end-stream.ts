import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { parseErrorJson } from "../protocol/error-json.js";

/** The meaning of a stream's final envelope: its trailers, and the error if the call failed. */
export interface EndStream {
  readonly trailer: Headers;
  readonly error: TripleError | undefined;
}

/** Envelope flag of the dubbo-js dialect: the payload is the JSON end-of-stream frame (responses only). */
export const FLAG_END_STREAM = 0b10;

const decoder = new TextDecoder();

/**
 * Parses the JSON end-of-stream frame, `{"error": {…}, "metadata": {"key": ["v1", …]}}`, both
 * parts optional. It is JSON even on binary streams. An unreadable frame is an Internal error:
 * the stream's outcome is unknown, so it must not pass as success.
 */
export function parseEndStream(data: Uint8Array, responseHeader: Headers): EndStream {
  let json: unknown;
  try {
    json = JSON.parse(decoder.decode(data));
  } catch (e) {
    throw new TripleError("the end-of-stream frame is not valid JSON", Code.Internal, { cause: e });
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw new TripleError("the end-of-stream frame is not a JSON object", Code.Internal);
  }
  const trailer = new Headers();
  const metadata = (json as Record<string, unknown>)["metadata"];
  if (typeof metadata === "object" && metadata !== null) {
    for (const [key, values] of Object.entries(metadata)) {
      for (const v of Array.isArray(values) ? values : [values]) {
        if (typeof v === "string") trailer.append(key, v);
      }
    }
  }
  const errorJson = (json as Record<string, unknown>)["error"];
  if (errorJson === undefined || errorJson === null) return { trailer, error: undefined };
  // Error metadata is the union of response headers and trailers, as users look in one place.
  const metadataAll = new Headers(responseHeader);
  trailer.forEach((v, k) => metadataAll.append(k, v));
  const error =
    parseErrorJson(errorJson, metadataAll) ??
    new TripleError("the end-of-stream frame has an error without a code", Code.Unknown, { metadata: metadataAll });
  return { trailer, error };
}
