import type { DescMessage, MessageShape, Registry } from "@bufbuild/protobuf";
import { fromBinary } from "@bufbuild/protobuf";
import { Code, codeToString } from "./code.js";

/**
 * One error detail as it travels: a `google.protobuf.Any` split into its type name and bytes.
 * Details stay undecoded until asked for, because decoding needs the schema and most callers
 * only look at the code.
 */
export interface ErrorDetail {
  /** Fully-qualified message name, without the `type.googleapis.com/` prefix. */
  readonly type: string;
  readonly value: Uint8Array;
  /** A server's JSON rendering of the detail, when it sent one (dubbo-js and Connect do). */
  readonly debug?: unknown;
}

/** What {@link TripleError} accepts besides code and message. */
export interface TripleErrorInit {
  readonly metadata?: HeadersInit;
  readonly details?: readonly ErrorDetail[];
  readonly cause?: unknown;
}

/**
 * Every failure of a call, whatever its origin (server, proxy, network, abort, deadline, bad bytes),
 * ends as a TripleError, so one `catch` with one `switch (err.code)` handles them all.
 */
export class TripleError extends Error {
  override readonly name = "TripleError";
  readonly code: Code;
  /** The message without the `[code]` prefix that `message` carries. */
  readonly rawMessage: string;
  /** Response headers and trailers that came with the error. */
  readonly metadata: Headers;
  readonly details: readonly ErrorDetail[];
  override readonly cause: unknown;

  constructor(message: string, code: Code = Code.Unknown, init: TripleErrorInit = {}) {
    super(message.length > 0 ? `[${codeToString(code)}] ${message}` : `[${codeToString(code)}]`);
    // Keeps instanceof working when a transpiler down-levels classes extending Error.
    Object.setPrototypeOf(this, new.target.prototype);
    this.code = code;
    this.rawMessage = message;
    this.metadata = new Headers(init.metadata);
    this.details = init.details ?? [];
    this.cause = init.cause;
  }

  /**
   * Turns any thrown value into a TripleError. An existing TripleError is returned as is; an
   * abort becomes `Canceled` (or the TripleError the signal was aborted with), whatever shape
   * the runtime gives its abort errors; anything else is `fallbackCode` with the original as `cause`.
   */
  static from(reason: unknown, fallbackCode: Code = Code.Unknown): TripleError {
    if (reason instanceof TripleError) return reason;
    if (isAbortError(reason)) {
      const inner = (reason as { cause?: unknown }).cause;
      if (inner instanceof TripleError) return inner;
      return new TripleError("the call was aborted", Code.Canceled, { cause: reason });
    }
    if (reason instanceof Error) {
      return new TripleError(reason.message, fallbackCode, { cause: reason });
    }
    return new TripleError(String(reason), fallbackCode, { cause: reason });
  }

  /**
   * Decodes the details of one message type. Pass a schema to get that type's details, or a
   * registry to get every detail whose type the registry knows.
   */
  findDetails<Desc extends DescMessage>(schema: Desc): MessageShape<Desc>[];
  findDetails(registry: Registry): unknown[];
  findDetails(schemaOrRegistry: DescMessage | Registry): unknown[] {
    const out: unknown[] = [];
    for (const detail of this.details) {
      const desc =
        "kind" in schemaOrRegistry && schemaOrRegistry.kind === "message"
          ? schemaOrRegistry.typeName === detail.type
            ? schemaOrRegistry
            : undefined
          : (schemaOrRegistry as Registry).getMessage(detail.type);
      if (desc === undefined) continue;
      try {
        out.push(fromBinary(desc, detail.value));
      } catch {
        // A detail that does not decode is skipped, not fatal: the error itself still stands.
      }
    }
    return out;
  }
}

/**
 * Abort errors differ by runtime: a DOMException named "AbortError" in browsers and Deno,
 * an Error with that name in Node's undici, a TimeoutError from AbortSignal.timeout().
 */
export function isAbortError(reason: unknown): boolean {
  if (typeof reason !== "object" || reason === null) return false;
  const name = (reason as { name?: unknown }).name;
  return name === "AbortError" || name === "TimeoutError";
}
