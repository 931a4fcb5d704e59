/**
 * Triple status codes. The numbers are the gRPC codes every Dubbo server uses, so a code read
 * from any of the three server dialects compares equal to the same member here.
 */
export enum Code {
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
}

/**
 * The snake_case name of a code, as dubbo-go and Connect write it in error bodies
 * (`"permission_denied"`). Used both to print codes and to parse them back.
 */
export function codeToString(code: Code): string {
  const name = Code[code] as string | undefined;
  if (name === undefined) return `code_${code}`;
  return name.replace(/[A-Z]/g, (c, i: number) => (i === 0 ? "" : "_") + c.toLowerCase());
}

/**
 * Reads a code written as a number (dubbo-js), a digit string or a snake_case name
 * (dubbo-go, Connect). Returns undefined for anything else so callers can fall back
 * to the HTTP status instead of inventing a code.
 */
export function parseCode(value: unknown): Code | undefined {
  if (typeof value === "number") {
    return Number.isInteger(value) && value >= 1 && value <= 16 ? (value as Code) : undefined;
  }
  if (typeof value !== "string") return undefined;
  for (let c = 1; c <= 16; c++) {
    if (codeToString(c) === value) return c;
  }
  return undefined;
}
