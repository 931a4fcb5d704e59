import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, parseCode } from "../code.js";
import { TripleError, type ErrorDetail } from "../errors.js";
import { codeFromHttpStatus } from "./http-status.js";

/**
 * Reads a Triple error object in any of the three server shapes:
 * - dubbo-js: `{"status": 7, "message": …, "details": […]}` (status is the code);
 * - dubbo-go / Connect: `{"code": "permission_denied", …}`;
 * - Dubbo Java: `{"status": "500", …}`, a digit string that is an HTTP status.
 * Returns undefined when `value` is none of them, so the caller can fall back to the HTTP status.
 */
export function parseErrorJson(value: unknown, metadata: Headers): TripleError | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const obj = value as Record<string, unknown>;
  let code: Code | undefined;
  if (typeof obj["code"] === "string" || typeof obj["code"] === "number") {
    code = parseCode(obj["code"]);
  }
  if (code === undefined && typeof obj["status"] === "number") {
    code = parseCode(obj["status"]);
  }
  if (code === undefined && typeof obj["status"] === "string" && /^\d{3}$/.test(obj["status"])) {
    code = codeFromHttpStatus(Number(obj["status"]));
  }
  if (code === undefined) return undefined;
  const message = typeof obj["message"] === "string" ? obj["message"] : "";
  return new TripleError(message, code, { metadata, details: parseDetails(obj["details"]) });
}

function parseDetails(value: unknown): ErrorDetail[] {
  if (!Array.isArray(value)) return [];
  const out: ErrorDetail[] = [];
  for (const d of value) {
    if (typeof d !== "object" || d === null) continue;
    const { type, value: data, debug } = d as Record<string, unknown>;
    if (typeof type !== "string" || typeof data !== "string") continue;
    try {
      out.push({
        type: type.startsWith("type.googleapis.com/") ? type.slice("type.googleapis.com/".length) : type,
        value: base64Decode(data),
        ...(debug !== undefined ? { debug } : {}),
      });
    } catch {
      // An undecodable detail is dropped; the error's code and message still reach the caller.
    }
  }
  return out;
}

/**
 * Builds the error for a failed HTTP response from its status and body text. The body is parsed
 * as a Triple error when it is JSON in a known shape; anything else (empty, HTML from a proxy,
 * plain text) maps the HTTP status (with `codeFor`, for dialects whose servers use their own
 * statuses) and quotes the start of the body so the cause is visible.
 */
export function errorFromHttpResponse(
  status: number,
  headers: Headers,
  bodyText: string,
  codeFor: (status: number) => Code = codeFromHttpStatus,
): TripleError {
  const parsed = parseErrorText(headers, bodyText);
  if (parsed !== undefined) return parsed;
  const contentType = headers.get("content-type") ?? "";
  const excerpt = quote(bodyText);
  const what = contentType === "" ? "" : ` ${contentType.split(";")[0]}`;
  const message =
    `HTTP ${status}` + (excerpt.length > 0 ? ` with${what} body: ${excerpt}` : what !== "" ? ` (${what.trim()}, empty body)` : " with an empty body");
  return new TripleError(message, codeFor(status), { metadata: headers });
}

/** A Triple error in a JSON body, or undefined when the body is not one. */
export function parseErrorText(headers: Headers, bodyText: string): TripleError | undefined {
  if (bodyText.length === 0 || !/json/i.test(headers.get("content-type") ?? "")) return undefined;
  try {
    return parseErrorJson(JSON.parse(bodyText), headers);
  } catch {
    return undefined;
  }
}

/**
 * The error for a 200 response of the wrong content type, such as a captive portal's or a
 * misrouted proxy's HTML page. Quotes the body's start, which usually names the culprit.
 */
export function unexpectedContentType(headers: Headers, expected: string, bodyText: string): TripleError {
  const excerpt = quote(bodyText);
  return new TripleError(
    `unexpected response content type "${headers.get("content-type") ?? ""}" (expected ${expected})` +
      (excerpt.length > 0 ? `: ${excerpt}` : ""),
    Code.Unknown,
    { metadata: headers },
  );
}

function quote(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 120);
}
