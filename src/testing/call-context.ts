import type { DescMethod } from "@bufbuild/protobuf";
import { Code } from "../code.js";
import { TripleError } from "../errors.js";
import { untilAborted } from "../call/call-signal.js";
import type { HandlerContext } from "./service-impl.js";

/** A handler's context plus what the serving code needs to end the call. */
export interface CallContext extends HandlerContext {
  /** Ends the call for the handler: aborts its signal (if not yet) and stops the deadline timer. */
  finish(reason?: TripleError): void;
}

/** Reads `TRI-Service-Timeout` (dubbo-go's `Triple-Timeout-Ms` too): 1 to 10 digits of ms. */
function timeoutFrom(headers: Headers): number | undefined {
  const raw = headers.get("tri-service-timeout") ?? headers.get("triple-timeout-ms");
  if (raw === null || !/^\d{1,10}$/.test(raw)) return undefined;
  return Number(raw);
}

/**
 * The context of one mock call. Its signal fires when the client's signal does (Canceled) or
 * when the deadline the client sent passes (DeadlineExceeded, on a timer that fake timers drive).
 */
export function createCallContext(method: DescMethod, requestHeader: Headers, clientSignal: AbortSignal): CallContext {
  const controller = new AbortController();
  const timeoutMs = timeoutFrom(requestHeader);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const onClientAbort = () => finish(new TripleError("the client cancelled the call", Code.Canceled, { cause: clientSignal.reason }));
  function finish(reason?: TripleError): void {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    clientSignal.removeEventListener("abort", onClientAbort);
    if (!controller.signal.aborted) controller.abort(reason ?? new TripleError("the call has ended", Code.Canceled));
  }
  if (clientSignal.aborted) onClientAbort();
  else clientSignal.addEventListener("abort", onClientAbort, { once: true });
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    timer = setTimeout(() => finish(new TripleError("the deadline the client sent has passed", Code.DeadlineExceeded)), timeoutMs);
  }
  return {
    service: method.parent,
    method,
    requestHeader,
    responseHeader: new Headers(),
    responseTrailer: new Headers(),
    signal: controller.signal,
    timeoutMs,
    finish,
  };
}

/** Settles with `promise`, or rejects with the signal's reason (a TripleError) when it fires first. */
export const raceSignal = untilAborted;

/** Any failure of a handler as the TripleError to send: thrown TripleErrors as they are, the rest Unknown. */
export function toTripleError(e: unknown): TripleError {
  return TripleError.from(e, Code.Unknown);
}
