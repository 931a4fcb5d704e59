// Small helpers the conformance cases share: awaiting a call's TripleError, draining streams,
// and checking a refusal against its capability entry.

import { codeToString, TripleError } from "triple-es";
import type { Unsupported } from "./capabilities.js";
import { assert, rejection } from "./harness.js";

/** The TripleError that `p` rejects with. */
export async function tripleError(p: Promise<unknown>): Promise<TripleError> {
  const e = await rejection(p);
  if (!(e instanceof TripleError)) assert.fail(`expected a TripleError, got ${String(e)}`);
  return e;
}

export async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const m of it) out.push(m);
  return out;
}

/** Iterates until the stream fails; the messages before the failure go into `received`. */
export async function streamError<T>(it: AsyncIterable<T>, received: T[] = []): Promise<TripleError> {
  return tripleError(
    (async () => {
      for await (const m of it) received.push(m);
    })(),
  );
}

export async function expectUnsupported(p: Promise<unknown>, caps: Unsupported): Promise<string> {
  const err = await tripleError(p);
  assert.equal(
    err.code,
    caps.code,
    `code (expected ${codeToString(caps.code)}, got ${codeToString(err.code)}: ${err.message})`,
  );
  assert.includes(err.message, caps.message, "error message");
  return err.message;
}

/**
 * Reads `read()` until `done` holds for what it returns, pausing briefly between reads, and
 * returns that value. No bound of its own: the test's timeout catches a server that never gets there.
 */
export async function pollUntil<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
}
