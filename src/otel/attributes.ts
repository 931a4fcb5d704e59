import type { Attributes } from "@opentelemetry/api";
import { Code, codeToString } from "../code.js";
import { TripleError } from "../errors.js";
import type { StreamRequest, UnaryRequest } from "../interceptors.js";

/** `rpc.system` of every span: the Dubbo framework, whatever the server's language. */
export const RPC_SYSTEM = "dubbo";

/**
 * The status attribute, numeric as gRPC's `rpc.grpc.status_code` (0 for success, else the Triple
 * code, which is the gRPC number), so dashboards built for gRPC read it the same way.
 */
export const STATUS_CODE_ATTRIBUTE = "rpc.dubbo.status_code";

/**
 * The attributes known when the call starts (OpenTelemetry RPC semantic conventions): system,
 * service (the proto's full name), method, and where the call goes.
 */
export function requestAttributes(req: UnaryRequest | StreamRequest): Attributes {
  const attributes: Attributes = {
    "rpc.system": RPC_SYSTEM,
    "rpc.service": req.service.typeName,
    "rpc.method": req.method.name,
  };
  try {
    const url = new URL(req.url);
    attributes["server.address"] = url.hostname.replace(/^\[|\]$/g, "");
    attributes["server.port"] = url.port !== "" ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  } catch {
    // A URL that does not parse (a custom transport's scheme): the span just has no address.
  }
  return attributes;
}

/** The code a failure ends the call with: a TripleError's own, Unknown for anything else. */
export function errorCode(error: unknown): Code {
  return error instanceof TripleError ? error.code : Code.Unknown;
}

/** `error.type` for a failed call: the code's name, e.g. `permission_denied`. */
export function errorType(error: unknown): string {
  return codeToString(errorCode(error));
}
