import { SpanStatusCode, type Span } from "@opentelemetry/api";
import { errorCode, errorType, STATUS_CODE_ATTRIBUTE } from "./attributes.js";

/** Message counts recorded on a span when it ends. */
export interface MessageCounts {
  /** Undefined where the interceptor cannot see the requests (client and bidi streams). */
  readonly sent: number | undefined;
  readonly received: number;
}

function setCounts(span: Span, counts: MessageCounts): void {
  if (counts.sent !== undefined) span.setAttribute("rpc.dubbo.messages_sent", counts.sent);
  span.setAttribute("rpc.dubbo.messages_received", counts.received);
}

/** Ends a span of a call that succeeded: status code 0, status left unset as the conventions ask of clients. */
export function endOk(span: Span, counts: MessageCounts): void {
  setCounts(span, counts);
  span.setAttribute(STATUS_CODE_ATTRIBUTE, 0);
  span.end();
}

/** Ends a span of a failed call (server error, deadline, abort, network): status ERROR, the code, the exception. */
export function endError(span: Span, error: unknown, counts: MessageCounts): void {
  setCounts(span, counts);
  span.setAttribute(STATUS_CODE_ATTRIBUTE, errorCode(error));
  span.setAttribute("error.type", errorType(error));
  if (error instanceof Error) span.recordException(error);
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  span.end();
}
