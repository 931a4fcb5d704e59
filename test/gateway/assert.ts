// Tiny assertions (the Deno standard library is not reachable offline).

export function assert(cond: unknown, message = "assertion failed"): asserts cond {
  if (!cond) throw new Error(message);
}

export function assertEquals(actual: unknown, expected: unknown, message?: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) throw new Error(`${message ? message + ": " : ""}expected ${e}, got ${a}`);
}

export function assertMatch(actual: string, re: RegExp): void {
  if (!re.test(actual)) throw new Error(`expected ${JSON.stringify(actual)} to match ${re}`);
}
