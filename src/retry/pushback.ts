/**
 * What the server said about retrying: nothing, wait this long, or do not retry. Servers say it in
 * gRPC's `grpc-retry-pushback-ms` (a non-negative integer; anything else means "do not retry") or
 * in HTTP's `Retry-After` (seconds, or an HTTP date), which proxies and servers send with 503 and 429.
 */
export type Pushback = { readonly kind: "none" } | { readonly kind: "wait"; readonly ms: number } | { readonly kind: "stop"; readonly why: string };

/**
 * Reads the pushback from a failed attempt's response headers (a `TripleError`'s metadata).
 * `grpc-retry-pushback-ms` wins when both are present. An HTTP date in the past means "now".
 * A malformed or negative value means "do not retry": the server asked for something, and
 * guessing could hammer it.
 */
export function pushbackOf(headers: Headers, nowMs: number): Pushback {
  const grpc = headers.get("grpc-retry-pushback-ms");
  if (grpc !== null) {
    const v = grpc.trim();
    if (!/^\d+$/.test(v)) return { kind: "stop", why: `the server's grpc-retry-pushback-ms is "${v}" (not a non-negative integer)` };
    return { kind: "wait", ms: Number(v) };
  }
  const after = headers.get("retry-after");
  if (after === null) return { kind: "none" };
  const v = after.trim();
  if (/^\d+$/.test(v)) return { kind: "wait", ms: Number(v) * 1000 };
  // An HTTP date always names its weekday and month in letters, and GMT; a bare number with a
  // sign or a fraction is not one (Date.parse would read "-1" as a year).
  const date = /[a-z]{3}/i.test(v) ? Date.parse(v) : NaN;
  if (Number.isNaN(date)) return { kind: "stop", why: `the server's Retry-After is "${v}" (neither seconds nor an HTTP date)` };
  return { kind: "wait", ms: Math.max(0, date - nowMs) };
}
