import { Code } from "../code.js";

/**
 * The code for an HTTP status when no Triple error body can be read (proxies, load balancers,
 * servers that answer before the Triple handler runs). The table is the one gRPC and Connect
 * use, so a 503 from any gateway reads as Unavailable and is safe to retry.
 */
export function codeFromHttpStatus(status: number): Code {
  switch (status) {
    case 400:
      return Code.InvalidArgument;
    case 401:
      return Code.Unauthenticated;
    case 403:
      return Code.PermissionDenied;
    case 404:
      return Code.Unimplemented;
    case 408:
      return Code.DeadlineExceeded;
    case 409:
      return Code.Aborted;
    case 412:
      return Code.FailedPrecondition;
    case 413:
    case 431:
      return Code.ResourceExhausted;
    case 415:
      return Code.Internal;
    case 429:
    case 502:
    case 503:
    case 504:
      return Code.Unavailable;
    default:
      return Code.Unknown;
  }
}
