import { Code, parseCode } from "../code.js";
import { TripleError } from "../errors.js";
import { errorFromHttpResponse } from "../protocol/error-json.js";
import { codeFromHttpStatus } from "../protocol/http-status.js";

/**
 * Dubbo Java 3.3 writes each code's HTTP status from its own table: where it differs from the
 * shared one (Canceled 499, DeadlineExceeded 504, Unimplemented 501), read it back its way. 408 is
 * what Java answers when it enforces a deadline itself, after the handler returned.
 */
export function codeFromJavaStatus(status: number): Code {
  switch (status) {
    case 499:
      return Code.Canceled;
    case 408:
    case 504:
      return Code.DeadlineExceeded;
    case 501:
      return Code.Unimplemented;
    default:
      return codeFromHttpStatus(status);
  }
}

/** Java prefixes every error message with the code's name: `"PERMISSION_DENIED : no access"`. */
const CODE_PREFIX = /^([A-Z][A-Z_]*) : ([\s\S]*)$/;

/**
 * Reads Java's error object, `{"message": "<CODE_NAME> : <text>", "status": "<http status>"}`.
 * The code comes from the name in the message when there is one, because several codes share an
 * HTTP status (400 is InvalidArgument, FailedPrecondition and OutOfRange); the status is the
 * fallback. Returns undefined for any other shape.
 */
export function parseJavaError(value: unknown, metadata: Headers): TripleError | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const { status, message } = value as Record<string, unknown>;
  if (typeof status !== "string" || !/^\d{3}$/.test(status)) return undefined;
  if (message !== undefined && typeof message !== "string") return undefined;
  const text = message ?? "";
  const named = CODE_PREFIX.exec(text);
  // Java spells code 1 the gRPC way, CANCELLED.
  const code = named ? parseCode(named[1] === "CANCELLED" ? "canceled" : named[1]!.toLowerCase()) : undefined;
  if (code !== undefined) return new TripleError(named![2]!, code, { metadata });
  return new TripleError(explain(text, Number(status)), codeFromJavaStatus(Number(status)), { metadata });
}

/** Adds to Java's bare routing messages what a user has to change, since Java does not say. */
function explain(text: string, status: number): string {
  if (status === 404 && text === "Invoker not found") {
    return (
      "Invoker not found: Dubbo Java 3.3 routes plain HTTP only to rpcs named exactly like the Java method " +
      "(lowerCamel, `rpc sayHello`, not `rpc SayHello`), and only for unary and server-streaming methods; " +
      "rename the rpc in the .proto, or reach the method over gRPC through the triple-es gateway"
    );
  }
  if (text.includes("Ambiguous mapping")) {
    return (
      `${text}: the service extends the generated ImplBase, whose (request, StreamObserver) overload maps to ` +
      "the same path; override it in the service with @Mapping(enabled = false) " +
      "(org.apache.dubbo.remoting.http12.rest.Mapping)"
    );
  }
  return text;
}

/**
 * The error of a failed Java response from its status and body text. Java answers in JSON, or,
 * for a server stream that failed before its first message, in one SSE `data:` event; anything
 * else (a proxy's HTML page, an empty body) maps the HTTP status.
 */
export function javaErrorFromResponse(status: number, headers: Headers, bodyText: string): TripleError {
  const parsed = parseJavaErrorText(bodyText, headers);
  return parsed ?? errorFromHttpResponse(status, headers, bodyText, codeFromJavaStatus);
}

/** Java's error object in a JSON body or in SSE `data:` lines, or undefined when it is not there. */
export function parseJavaErrorText(bodyText: string, headers: Headers): TripleError | undefined {
  const text = bodyText.trimStart().startsWith("data:") ? sseData(bodyText) : bodyText;
  if (text.length === 0) return undefined;
  try {
    return parseJavaError(JSON.parse(text), headers);
  } catch {
    return undefined;
  }
}

/** The data of the first event of an SSE text. */
function sseData(text: string): string {
  const lines: string[] = [];
  for (const line of text.trimStart().split(/\r\n|\r|\n/)) {
    if (line === "") break;
    if (line.startsWith("data:")) lines.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  return lines.join("\n");
}
