// gRPC's status, read from an upstream answer, as the Triple error the client reads; and the
// client's deadline as `grpc-timeout`. Pure functions, no network.
//
// The servers differ (verified on the real ones, TRIPLE-PROTOCOL.md "gRPC upstream"):
// - dubbo-go: 200 + trailers; `grpc-message` percent-encoded; `grpc-status-details-bin` (a
//   google.rpc.Status); an unknown method is a 404 text/plain without any grpc-status.
// - Dubbo Java 3.3: unary and client-stream errors come trailers-only with `:status 500`;
//   `grpc-message` is raw UTF-8 "<CODE_NAME> : <text>"; no details; a deadline is `:status 408`
//   with grpc-status 2 (UNKNOWN) "Request Timeout".

/** gRPC status codes by number, as the Triple (Connect-style) code strings of an error body. */
export const CODE_NAMES = [
  "ok", "canceled", "unknown", "invalid_argument", "deadline_exceeded", "not_found", "already_exists",
  "permission_denied", "resource_exhausted", "failed_precondition", "aborted", "out_of_range",
  "unimplemented", "internal", "unavailable", "data_loss", "unauthenticated",
] as const;

/** The HTTP status of a unary Triple error response with this code (what a Triple server sends). */
const HTTP_STATUS: Record<string, number> = {
  canceled: 499, unknown: 500, invalid_argument: 400, deadline_exceeded: 504, not_found: 404,
  already_exists: 409, permission_denied: 403, resource_exhausted: 429, failed_precondition: 400,
  aborted: 409, out_of_range: 400, unimplemented: 501, internal: 500, unavailable: 503, data_loss: 500,
  unauthenticated: 401,
};

export function httpStatusForCode(code: string): number {
  return HTTP_STATUS[code] ?? 500;
}

/** One `google.protobuf.Any` of an error, as the Triple error JSON carries it (base64 value). */
export interface DetailJson {
  type: string;
  value: string;
}

/** The error of a gRPC answer, in the Triple error body's terms; undefined for status 0. */
export interface GrpcError {
  code: string;
  message: string;
  details: DetailJson[];
}

type HeaderBag = Record<string, string | string[] | undefined>;

const one = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

/**
 * The call's outcome from `grpc-status` in the trailers (or, trailers-only, in the response head),
 * with `:status` for what only it tells: an answer without any grpc-status is an HTTP error
 * (mapped like gRPC's HTTP-to-status table), and Java's `408` + UNKNOWN is its deadline.
 * Returns null for success.
 */
export function grpcOutcome(httpStatus: number, head: HeaderBag, trailers: HeaderBag | undefined): GrpcError | null {
  const src = one(trailers?.["grpc-status"]) !== undefined ? trailers! : head;
  const raw = one(src["grpc-status"]);
  if (raw === undefined) {
    if (httpStatus === 200) {
      return { code: "internal", message: "upstream answered without a grpc-status (the stream ended early)", details: [] };
    }
    return { code: codeFromHttpStatus(httpStatus), message: `upstream answered HTTP ${httpStatus} without a gRPC status`, details: [] };
  }
  const n = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (n === 0) return null;
  let code: string = CODE_NAMES[n] ?? "unknown";
  let message = decodeGrpcMessage(one(src["grpc-message"]) ?? "");
  // Java spells the code name in front of its message: keep the text, the code is known.
  const named = /^([A-Z_]+) : ([\s\S]*)$/.exec(message);
  if (named && named[1]!.toLowerCase().replace("cancelled", "canceled") === code) message = named[2]!;
  if (httpStatus === 408 && code === "unknown") code = "deadline_exceeded";
  const details = decodeStatusDetails(one(src["grpc-status-details-bin"]));
  return { code, message, details };
}

/**
 * The outcome once the call's deadline is known to have passed: an upstream CANCELLED then is the
 * deadline (the gateway's caller reads this only for calls the client did not cancel). Dubbo Java
 * 3.3.6 answers its own expired deadline either with `:status 408` + UNKNOWN or, racing that, with
 * CANCELLED "call cancelled: null".
 */
export function atDeadline(error: GrpcError | null, deadlinePassed: boolean): GrpcError | null {
  if (error?.code !== "canceled" || !deadlinePassed) return error;
  return { ...error, code: "deadline_exceeded", message: `the call's deadline passed (upstream answered CANCELLED: ${error.message})` };
}

/** gRPC's mapping of an HTTP status without a gRPC status to a code. */
function codeFromHttpStatus(status: number): string {
  switch (status) {
    case 400: return "internal";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "unimplemented";
    case 408: return "deadline_exceeded";
    case 429: case 502: case 503: case 504: return "unavailable";
    default: return "unknown";
  }
}

/** Percent-decodes a `grpc-message` (dubbo-go); a raw one (Java) that does not decode is kept as is. */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes("%")) return value;
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * The details of a `grpc-status-details-bin` (base64 of a google.rpc.Status: code 1, message 2,
 * repeated Any details 3 with type_url 1 and value 2). Undecodable input gives no details: the
 * code and message still reach the client.
 */
export function decodeStatusDetails(b64: string | undefined): DetailJson[] {
  if (!b64) return [];
  let bytes: Uint8Array;
  try {
    bytes = Uint8Array.from(atob(padBase64(b64)), (c) => c.charCodeAt(0));
  } catch {
    return [];
  }
  const out: DetailJson[] = [];
  try {
    for (const [field, value] of protoFields(bytes)) {
      if (field !== 3 || !(value instanceof Uint8Array)) continue;
      let type = "";
      let data: Uint8Array = new Uint8Array();
      for (const [f, v] of protoFields(value)) {
        if (f === 1 && v instanceof Uint8Array) type = new TextDecoder().decode(v);
        if (f === 2 && v instanceof Uint8Array) data = v;
      }
      out.push({ type: type.replace(/^type\.googleapis\.com\//, ""), value: btoa(String.fromCharCode(...data)).replace(/=+$/, "") });
    }
  } catch {
    return out;
  }
  return out;
}

function padBase64(s: string): string {
  const std = s.replace(/-/g, "+").replace(/_/g, "/");
  return std + "=".repeat((4 - (std.length % 4)) % 4);
}

/** The top-level fields of a protobuf message: varints as numbers, length-delimited as bytes. */
function* protoFields(bytes: Uint8Array): Generator<[number, number | Uint8Array]> {
  let i = 0;
  const varint = (): number => {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      if (i >= bytes.length || shift > 63) throw new Error("truncated varint");
      const b = bytes[i++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  };
  while (i < bytes.length) {
    const key = varint();
    const field = Math.floor(key / 8);
    switch (key & 7) {
      case 0: yield [field, varint()]; break;
      case 1: i += 8; break;
      case 5: i += 4; break;
      case 2: {
        const n = varint();
        if (i + n > bytes.length) throw new Error("truncated field");
        yield [field, bytes.subarray(i, i + n)];
        i += n;
        break;
      }
      default: throw new Error(`wire type ${key & 7}`);
    }
  }
}

/**
 * The client's deadline in ms from the head's timeout headers (Triple's `tri-service-timeout`,
 * dubbo-go's `triple-timeout-ms`, Connect's `connect-timeout-ms`, or `grpc-timeout`); undefined
 * when none is set or it does not parse.
 */
export function requestTimeoutMs(headers: Record<string, string>): number | undefined {
  for (const name of ["tri-service-timeout", "triple-timeout-ms", "connect-timeout-ms"]) {
    const v = headers[name];
    if (v !== undefined && /^\d{1,10}$/.test(v.trim())) return Number(v.trim());
  }
  const g = /^(\d{1,8})([HMSmun])$/.exec(headers["grpc-timeout"]?.trim() ?? "");
  if (!g) return undefined;
  const unitMs = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 0.001, n: 0.000001 }[g[2] as "H"];
  return Math.ceil(Number(g[1]) * unitMs);
}

/** `grpc-timeout` for a deadline in ms: at most 8 digits, in the finest unit that fits. */
export function encodeGrpcTimeout(ms: number): string {
  const whole = Math.max(0, Math.ceil(ms));
  if (whole < 1e8) return `${whole}m`;
  const s = Math.ceil(whole / 1000);
  if (s < 1e8) return `${s}S`;
  return `${Math.min(99_999_999, Math.ceil(s / 3600))}H`;
}
