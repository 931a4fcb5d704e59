import { base64Encode } from "@bufbuild/protobuf/wire";
import { Code } from "../code.js";
import { encodeEnvelope } from "../protocol/envelope.js";
import { FLAG_END_STREAM } from "../protocol-triple/end-stream.js";
import type { TripleError } from "../errors.js";

/**
 * The HTTP status a dubbo-js server answers a failed unary call with, per code (the table in
 * TRIPLE-PROTOCOL.md, checked against `@apachedubbo/dubbo-node`).
 */
export function httpStatusFromCode(code: Code): number {
  switch (code) {
    case Code.Canceled:
    case Code.DeadlineExceeded:
      return 408;
    case Code.InvalidArgument:
    case Code.OutOfRange:
      return 400;
    case Code.NotFound:
    case Code.Unimplemented:
      return 404;
    case Code.AlreadyExists:
    case Code.Aborted:
      return 409;
    case Code.PermissionDenied:
      return 403;
    case Code.ResourceExhausted:
      return 429;
    case Code.FailedPrecondition:
      return 412;
    case Code.Unavailable:
      return 503;
    case Code.Unauthenticated:
      return 401;
    default:
      return 500;
  }
}

/**
 * The error object dubbo-js writes, in a unary error body and in an end-of-stream frame:
 * `{"status": <code>, "message": …, "details": [{"type", "value": <base64>, "debug"?}]}`.
 */
export function errorJson(error: TripleError): Record<string, unknown> {
  const out: Record<string, unknown> = { status: error.code };
  if (error.rawMessage !== "") out["message"] = error.rawMessage;
  if (error.details.length > 0) {
    out["details"] = error.details.map((d) => ({
      type: d.type,
      value: base64Encode(d.value),
      ...(d.debug !== undefined ? { debug: d.debug } : {}),
    }));
  }
  return out;
}

/** Headers as the end-of-stream frame's metadata: `{"name": ["v1", "v2"]}`. */
function metadataJson(headers: Headers): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  headers.forEach((value, name) => {
    // Headers joins repeated values; a comma inside one value is not split (it is one string).
    (out[name] ??= []).push(value);
  });
  return out;
}

const encoder = new TextEncoder();

/** The final envelope of a dubbo-js stream: its trailers and, when the call failed, the error. */
export function endStreamEnvelope(trailer: Headers, error: TripleError | undefined): Uint8Array {
  const metadata = new Headers(trailer);
  error?.metadata.forEach((value, name) => metadata.append(name, value));
  const frame: Record<string, unknown> = {};
  if (error !== undefined) frame["error"] = errorJson(error);
  const md = metadataJson(metadata);
  if (Object.keys(md).length > 0) frame["metadata"] = md;
  return encodeEnvelope(FLAG_END_STREAM, encoder.encode(JSON.stringify(frame)));
}

/** A unary error response's body, status and headers: the error's metadata, trailers as `trailer-*`. */
export function unaryErrorResponse(error: TripleError, header: Headers, trailer: Headers): { status: number; headers: Headers; body: Uint8Array } {
  const headers = new Headers(header);
  error.metadata.forEach((value, name) => headers.append(name, value));
  trailer.forEach((value, name) => headers.append(`trailer-${name}`, value));
  headers.set("content-type", "application/json");
  return { status: httpStatusFromCode(error.code), headers, body: encoder.encode(JSON.stringify(errorJson(error))) };
}
